package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// advanced is the Advanced part of the integration details, closed until opened: a row for
// each of the core's advanced settings (connections.AdvancedSettings) with the sentence that
// says when to change it. Nothing here names a setting, so one added in the core shows here.
type advanced struct {
	rows      []*settingRow
	accordion *widget.Accordion
}

// settingRow is one setting: a number field or an on/off check, and its message line.
type settingRow struct {
	setting connections.Setting
	number  *widget.Entry
	on      *tick
	msg     *fieldMessage
}

// advancedTitle is the disclosure's title.
const advancedTitle = "Advanced"

func newAdvanced(saved connections.Settings) *advanced {
	a := &advanced{}
	form := container.New(layout.NewFormLayout())
	for _, st := range connections.AdvancedSettings() {
		r := &settingRow{setting: st, msg: newFieldMessage()}
		var field fyne.CanvasObject
		if st.Kind == connections.SettingSwitch {
			r.on = newTick("On", st.On(saved), nil)
			field = r.on
		} else {
			r.number = &widget.Entry{Text: strconv.Itoa(st.Value(saved)), OnChanged: func(string) { r.check() }}
			r.number.OnSubmitted = submitDefault(r.number)
			field = border(nil, nil, nil, &widget.Label{Text: st.Unit}, r.number)
		}
		when := wrapped(st.When)
		form.Add(fieldLabel(st.Label))
		form.Add(container.NewVBox(field, r.msg.box, when))
		a.rows = append(a.rows, r)
	}
	a.accordion = widget.NewAccordion(widget.NewAccordionItem(advancedTitle, form))
	return a
}

// check shows the row's complaint, if any, and reports whether the value is good.
func (r *settingRow) check() bool {
	if r.number == nil {
		return true
	}
	if _, err := r.setting.Parse(r.number.Text); err != nil {
		r.msg.set(levelError, problem.Summary(err))
		return false
	}
	r.msg.set(levelNone, "")
	return true
}

// apply puts the rows' values into s; call it after validate found nothing wrong.
func (a *advanced) apply(s *connections.Settings) {
	for _, r := range a.rows {
		v := 0
		if r.on != nil && r.on.Checked {
			v = 1
		}
		if r.number != nil {
			v, _ = r.setting.Parse(r.number.Text)
		}
		_ = r.setting.Set(s, v) // validate checked it
	}
}

// validate shows every row's complaint and returns the first field that has one, opening
// the disclosure so the person sees it.
func (a *advanced) validate() fyne.Focusable {
	var first fyne.Focusable
	for _, r := range a.rows {
		if !r.check() && first == nil {
			first = r.number
		}
	}
	if first != nil {
		a.accordion.Open(0)
	}
	return first
}
