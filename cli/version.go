package cli

import (
	"context"
	"fmt"
)

func init() {
	commands["version"] = command{summary: "print the version", run: runVersion}
}

// runVersion prints the version that FyneApp.toml declares.
func runVersion(_ context.Context, env *Env, args []string) error {
	fs := newFlags(env, "version", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s %s\n", env.Info.Name, env.Info.Version)
	return nil
}
