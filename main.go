// Command lightspeed-connect connects Lightspeed (O-Series) companies to an integration and
// keeps their tokens alive. With no arguments it opens the window; with a subcommand it runs
// on the command line without one.
package main

import (
	_ "embed"
	"fmt"
	"os"

	// Asks for English under the POSIX locale before Fyne's packages initialise (see its doc).
	_ "github.com/lightspeedconnect/lightspeed-connect/internal/englishlocale"

	"fyne.io/fyne/v2/app"

	"github.com/lightspeedconnect/lightspeed-connect/cli"
	"github.com/lightspeedconnect/lightspeed-connect/internal/appinfo"
	"github.com/lightspeedconnect/lightspeed-connect/ui"
)

//go:embed FyneApp.toml
var fyneAppTOML []byte

func main() {
	info := appinfo.MustParse(fyneAppTOML)
	if len(os.Args) > 1 {
		os.Exit(cli.Main(os.Args[1:], info))
	}
	if err := ui.CheckDisplay(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	a := app.NewWithID(info.ID)
	w := a.NewWindow(info.Name)
	ui.Start(a, w, info)
	w.ShowAndRun()
}
