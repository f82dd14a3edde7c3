package appinfo

import (
	"os"
	"testing"
)

func TestParseTheRealFile(t *testing.T) {
	data, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	info, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "Lightspeed Connect" {
		t.Errorf("Name = %q, want the window title %q", info.Name, "Lightspeed Connect")
	}
	if info.Version == "" || info.ID == "" {
		t.Errorf("Version %q and ID %q must be set", info.Version, info.ID)
	}
	if !info.Migrations["fyneDo"] {
		t.Error("FyneApp.toml must declare [Migrations] fyneDo = true")
	}
}

func TestParseRejectsIncompleteFiles(t *testing.T) {
	for name, text := range map[string]string{
		"empty":      "",
		"no version": "[Details]\nName = \"X\"\nID = \"a.b\"\n",
		"not toml":   "[Details\nName=",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(text)); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}
