package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// layoutSpacer pushes the primary button to the bottom right, where docs/ux.md puts it.
func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }

// heading is a screen's one question or statement, in the theme's sub-heading size.
func heading(text string) *widget.Label {
	return &widget.Label{Text: text, TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText, Wrapping: fyne.TextWrapWord}
}

// screen lays out a screen: its words at the top, its buttons at the bottom (the primary one
// last, so it sits bottom right), and room between.
func screen(top fyne.CanvasObject, buttons ...fyne.CanvasObject) fyne.CanvasObject {
	bar := container.NewHBox(buttons...)
	return border(nil, container.NewVBox(widget.NewSeparator(), bar), nil, nil, container.NewVScroll(top))
}

// level is how a message under a field should look.
type level int

const (
	levelNone level = iota
	levelInfo
	levelWarning
	levelError
)

// fieldMessage is the line under a field: an icon and a sentence, coloured by the theme, and
// hidden when there is nothing to say. The word carries the meaning, never the colour alone.
type fieldMessage struct {
	icon  *widget.Icon
	label *widget.Label
	box   *fyne.Container
}

func newFieldMessage() *fieldMessage {
	m := &fieldMessage{icon: widget.NewIcon(nil), label: &widget.Label{Wrapping: fyne.TextWrapWord}}
	m.box = border(nil, nil, container.NewVBox(m.icon), nil, m.label)
	m.box.Hide()
	return m
}

// set shows text at the given level; levelNone hides the line.
func (m *fieldMessage) set(l level, text string) {
	if l == levelNone || text == "" {
		m.label.SetText("")
		m.box.Hide()
		return
	}
	switch l {
	case levelInfo:
		m.icon.SetResource(theme.InfoIcon())
		m.label.Importance = widget.MediumImportance
	case levelWarning:
		m.icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
		m.label.Importance = widget.WarningImportance
	default:
		m.icon.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
		m.label.Importance = widget.DangerImportance
	}
	m.label.SetText(text)
	m.box.Show()
}

// isError reports whether the line shows an error.
func (m *fieldMessage) isError() bool {
	return m.box.Visible() && m.label.Importance == widget.DangerImportance
}

// border is container.NewBorder with its objects in reading order (top, left, centre, right,
// bottom), which is the order Tab visits them: Fyne's focus moves through a container's
// objects as they are listed, and container.NewBorder lists the centre first.
func border(top, bottom, left, right fyne.CanvasObject, center ...fyne.CanvasObject) *fyne.Container {
	objects := make([]fyne.CanvasObject, 0, len(center)+4)
	for _, o := range [][]fyne.CanvasObject{{top, left}, center, {right, bottom}} {
		for _, x := range o {
			if x != nil {
				objects = append(objects, x)
			}
		}
	}
	return container.New(layout.NewBorderLayout(top, bottom, left, right), objects...)
}
