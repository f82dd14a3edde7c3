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
	// --background: start hidden in the system tray, keeping tokens fresh (docs/autostart.md).
	background := len(os.Args) == 2 && os.Args[1] == "--background"
	if len(os.Args) > 1 && !background {
		os.Exit(cli.Main(os.Args[1:], info))
	}
	if err := ui.CheckDisplay(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	a := app.NewWithID(info.ID)
	w := a.NewWindow(info.Name)
	if background && ui.StartInBackground(a, w, info) {
		w.SetMaster() // closing it for good, once shown, still quits
		a.Run()
		return
	}
	if !background {
		ui.Start(a, w, info)
	}
	w.ShowAndRun()
}
