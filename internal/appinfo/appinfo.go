// Package appinfo reads the app's identity (name, ID, version, build) from FyneApp.toml, so
// that the window, the command line and packaging all agree on one declaration.
package appinfo

import (
	"fmt"

	"github.com/BurntSushi/toml"
)

// Info is the app's identity as FyneApp.toml declares it.
type Info struct {
	// Name is the human name, also the window title ("Lightspeed Connect").
	Name string
	// ID is the reverse-DNS application ID.
	ID string
	// Version is the semantic version printed by `lightspeed-connect version`.
	Version string
	// Build is the build number.
	Build int
	// Migrations lists the Fyne migrations the app has made (fyneDo among them).
	Migrations map[string]bool
}

type fyneAppFile struct {
	Details struct {
		Name    string
		ID      string
		Version string
		Build   int
	}
	Migrations map[string]bool
}

// Parse reads FyneApp.toml's contents.
func Parse(data []byte) (Info, error) {
	var f fyneAppFile
	if _, err := toml.Decode(string(data), &f); err != nil {
		return Info{}, fmt.Errorf("could not read FyneApp.toml: %w", err)
	}
	if f.Details.Name == "" || f.Details.ID == "" || f.Details.Version == "" {
		return Info{}, fmt.Errorf("could not read FyneApp.toml: Details needs Name, ID and Version")
	}
	return Info{
		Name:       f.Details.Name,
		ID:         f.Details.ID,
		Version:    f.Details.Version,
		Build:      f.Details.Build,
		Migrations: f.Migrations,
	}, nil
}

// MustParse is Parse for the copy of FyneApp.toml embedded at build time: a broken file is a
// build mistake, caught by the tests, so it panics.
func MustParse(data []byte) Info {
	info, err := Parse(data)
	if err != nil {
		panic(err)
	}
	return info
}
