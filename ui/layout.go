package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/layout"
)

// layoutSpacer pushes the primary button to the bottom right, where UX.md puts it.
func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }
