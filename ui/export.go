package ui

import (
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// Format choices as the person reads them, in the order shown.
var formatLabels = []struct {
	label  string
	format connections.Format
}{
	{"JSON", connections.FormatJSON},
	{".env", connections.FormatDotenv},
	{"Kubernetes Secret", connections.FormatK8sSecret},
}

// formatLabel is the choice that stands for f.
func formatLabel(f connections.Format) string {
	for _, l := range formatLabels {
		if l.format == f {
			return l.label
		}
	}
	return formatLabels[0].label
}

// formatOf is the format the choice stands for.
func formatOf(label string) connections.Format {
	for _, l := range formatLabels {
		if l.label == label {
			return l.format
		}
	}
	return connections.FormatJSON
}

// exportDialog writes chosen companies' tokens to a file: which file, which format, which
// companies, and whether the client secret goes too (off by default, with a warning).
type exportDialog struct {
	shell    *shell
	core     *connections.Core
	statuses []connections.CompanyStatus

	path          *field
	choose        *button
	format        *widget.RadioGroup
	companies     []*tick
	includeSecret *tick
	secretWarning *fieldMessage
	keepOwnership *tick // keep the app refreshing the exported companies
	keepWarning   *fieldMessage
	message       *fieldMessage
	export        *button
	cancel        *button
	dlg           *dialog.CustomDialog
}

// newExportDialog preselects the company the person clicked Export… on.
func newExportDialog(s *shell, core *connections.Core, statuses []connections.CompanyStatus, selected int64) *exportDialog {
	e := &exportDialog{shell: s, core: core, statuses: statuses, secretWarning: newFieldMessage(), message: newFieldMessage()}
	e.path = newField(filepath.Join(homeDir(), connections.ExportFileName(connections.FormatJSON)))
	e.path.OnSubmitted = submitDefault(e.path)
	e.choose = newButton("Choose…", theme.FolderOpenIcon(), e.onChooseClicked)
	e.format = &widget.RadioGroup{Selected: formatLabel(connections.FormatJSON), Horizontal: true, Required: true, OnChanged: e.onFormatChanged}
	for _, l := range formatLabels {
		e.format.Options = append(e.format.Options, l.label)
	}
	for _, cs := range statuses {
		e.companies = append(e.companies, newTick(cs.Name, cs.ID == selected || selected == 0, nil))
	}
	e.includeSecret = newTick("Include the client secret", false, e.onIncludeSecretChanged)
	e.keepWarning = newFieldMessage()
	e.keepOwnership = newTick("Keep refreshing them in this app too", false, e.onKeepOwnershipChanged)
	e.export = primaryButton("Export", nil, e.onExportClicked)
	e.cancel = newButton("Cancel", nil, e.onCancelClicked)
	return e
}

func (e *exportDialog) content() fyne.CanvasObject {
	checks := container.NewVBox()
	for _, c := range e.companies {
		checks.Add(c)
	}
	form := container.New(layout.NewFormLayout(),
		fieldLabel("File"), border(nil, nil, nil, e.choose, e.path),
		fieldLabel("Format"), e.format,
		fieldLabel("Companies"), checks,
		fieldLabel("Secret"), container.NewVBox(e.includeSecret, e.secretWarning.box),
		fieldLabel("Refreshing"), container.NewVBox(e.keepOwnership, e.keepWarning.box),
	)
	return container.NewVBox(
		wrapped("The file holds the access and refresh tokens, so the integration can use them. Keep it private."),
		wrapped(connections.HandOffExplanation),
		form, e.message.box)
}

func (e *exportDialog) onKeepOwnershipChanged(on bool) {
	if on {
		e.keepWarning.set(levelWarning, connections.KeepOwnershipWarning)
		return
	}
	e.keepWarning.set(levelNone, "")
}

func (e *exportDialog) show() {
	e.dlg = dialog.NewCustomWithoutButtons("Export tokens", e.content(), e.shell.win)
	e.dlg.SetButtons([]fyne.CanvasObject{e.cancel, e.export})
	e.dlg.Resize(fyne.NewSize(560, 0))
	e.shell.track(e.dlg, e.onCancelClicked, e.export)
	e.dlg.Show()
}

func (e *exportDialog) onCancelClicked() { e.dlg.Hide() }

// onFormatChanged keeps the file's ending in step with the format (connections.WithFormat).
func (e *exportDialog) onFormatChanged(choice string) {
	if p := connections.WithFormat(e.path.Text, formatOf(choice)); p != e.path.Text {
		e.path.SetText(p)
	}
}

func (e *exportDialog) onIncludeSecretChanged(on bool) {
	if on {
		e.secretWarning.set(levelWarning, "Anyone with the file could act as your integration. Include the secret only if the integration asks for it.")
		return
	}
	e.secretWarning.set(levelNone, "")
}

// onChooseClicked picks the folder (see chooseFolder); the file's name stays as typed in the
// File field. Nothing is written until Export, which never writes through a link and asks
// before replacing a file.
func (e *exportDialog) onChooseClicked() {
	current := strings.TrimSpace(e.path.Text)
	name := filepath.Base(current)
	if current == "" || strings.HasSuffix(current, string(filepath.Separator)) {
		name = connections.ExportFileName(formatOf(e.format.Selected))
	}
	start := ""
	if current != "" {
		start = filepath.Dir(current)
	}
	e.shell.chooseFolder(name, start, e.path.SetText, nil)
}

// request is what the dialog asks for, or a sentence saying what is missing.
func (e *exportDialog) request() (connections.ExportRequest, string) {
	req := connections.ExportRequest{Path: strings.TrimSpace(e.path.Text), Format: formatOf(e.format.Selected), IncludeClientSecret: e.includeSecret.Checked,
		KeepOwnership: e.keepOwnership.Checked}
	for i, c := range e.companies {
		if c.Checked {
			req.CompanyIDs = append(req.CompanyIDs, e.statuses[i].ID)
		}
	}
	switch {
	case req.Path == "":
		return req, "Choose the file to export to."
	case len(req.CompanyIDs) == 0:
		return req, "Tick at least one company to export."
	}
	return req, ""
}

// onExportClicked exports without replacing a file; if one is there, it asks first.
func (e *exportDialog) onExportClicked() {
	req, missing := e.request()
	if missing != "" {
		e.message.set(levelError, missing)
		return
	}
	e.message.set(levelNone, "")
	e.run(req)
}

// run writes the file off the UI goroutine (the tokens come from the keyring).
func (e *exportDialog) run(req connections.ExportRequest) {
	e.export.Disable()
	s := e.shell
	s.spawn(func() {
		done, err := e.core.Export(s.ctx, req)
		s.deps.do(func() {
			e.export.Enable()
			switch {
			case problem.Is(err, problem.KindExists) && !req.Force:
				s.confirmReplace(req.Path, func() {
					req.Force = true
					e.run(req)
				}, nil)
			case err != nil:
				e.message.set(levelError, problem.Summary(err))
			default:
				e.dlg.Hide()
				s.inform("Exported", strings.Join(append([]string{connections.SavedTo(req.Path)}, done.Warnings...), "\n\n"))
			}
		})
	})
}
