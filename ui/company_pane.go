package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// offlineSentence is how the window says the check-the-internet fix: nothing is lost.
const offlineSentence = connections.OfflineSentence

// detailsPane is the selected company in full, under the list: its name and status, what is
// wrong (or how the last check went) and every note, its sites and times, and its actions.
// When the company needs attention its fix is the primary button, bottom right.
type detailsPane struct {
	d *dashboard

	name       *widget.Label
	badge      *widget.Label
	sentence   *widget.Label
	notes      *fyne.Container
	facts      *widget.Label
	sites      *widget.Label
	settings   *widget.Label // the integration's advanced settings the company is used with
	words      *keyScroll    // the sentence, the settings, the notes and the sites
	check      *button
	refreshNow *button
	export     *button
	reconnect  *button
	remove     *button
	// extra holds actions other files add for the selected company, between Disconnect and
	// the fix: "Copy access token" (ui/copytoken.go) goes here.
	extra *fyne.Container
	fix   *fyne.Container // the fix's button, when the status has one
	fixOf *button
	// fixButton and copyToken are made once and changed in place, so a refresh (the clock
	// ticks every few seconds) leaves the keyboard's focus on them where it was.
	fixButton *button
	copyToken *button

	none *widget.Label
	body *fyne.Container
	box  *fyne.Container
}

// detailsHeight keeps the pane's words in a fixed height, so selecting a company with a
// long sentence doesn't shrink the list; they scroll when they need more, with the pointer
// or, once Tab reaches them, the keyboard (keyScroll). It fits a two-line sentence and the
// settings line, which come before the notes and the sites for that reason.
const detailsHeight = 116

func newDetailsPane(d *dashboard) *detailsPane {
	p := &detailsPane{d: d}
	p.name = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}}
	p.badge = &widget.Label{}
	p.sentence = wrapped("")
	p.notes = container.NewVBox()
	p.facts = &widget.Label{SizeName: theme.SizeNameCaptionText, Truncation: fyne.TextTruncateEllipsis, Alignment: fyne.TextAlignTrailing}
	p.sites = wrapped("")
	p.settings = &widget.Label{Wrapping: fyne.TextWrapWord, SizeName: theme.SizeNameCaptionText}
	p.check = keyButton(&widget.Button{Text: "Check", Icon: theme.ViewRefreshIcon(), OnTapped: func() { d.onCheckClicked(d.selected) }})
	p.refreshNow = keyButton(&widget.Button{Text: "Refresh", OnTapped: func() { d.onRefreshClicked(d.selected) }})
	p.export = keyButton(&widget.Button{Text: "Export…", Icon: theme.DocumentSaveIcon(), OnTapped: func() { d.onExportClicked(d.selected) }})
	p.reconnect = keyButton(&widget.Button{Text: "Reconnect", OnTapped: func() { d.onReconnectClicked(d.selected) }})
	p.remove = keyButton(&widget.Button{Text: "Disconnect…", Importance: widget.LowImportance, OnTapped: func() { d.onDisconnectClicked(d.selected) }})
	p.extra = container.NewHBox()
	p.fix = container.NewHBox()
	p.fixButton = primaryButton("", nil, nil)
	p.copyToken = keyButton(&widget.Button{Text: "Copy access token", Icon: theme.ContentCopyIcon(), OnTapped: func() {
		if cs, ok := d.status(d.selected); ok {
			d.shell.copyAccessToken(d.core, cs)
		}
	}})
	p.words = newKeyScroll(container.NewVBox(p.sentence, p.settings, p.notes, p.sites))
	p.words.SetMinSize(fyne.NewSize(0, detailsHeight))
	actions := container.NewHBox(p.check, p.refreshNow, p.export, p.reconnect, p.remove, layoutSpacer(), p.extra, p.fix)
	p.body = border(border(nil, nil, p.name, p.badge, p.facts), actions, nil, nil, p.words)
	p.none = wrapped("Select a company to see its details and actions.")
	p.box = container.NewStack(p.body, container.NewCenter(p.none))
	return p
}

// refresh shows the selected company, or says to select one.
func (p *detailsPane) refresh() {
	d := p.d
	cs, ok := d.status(d.selected)
	if !ok {
		p.body.Hide()
		p.none.Show()
		p.onePrimary()
		return
	}
	p.none.Hide()
	p.body.Show()
	now := d.shell.deps.now()
	busy := d.busy[cs.ID]
	p.name.SetText(cs.Name)
	setBadge(p.badge, cs, busy)
	text := cs.Detail
	if cs.Fix().Action == problem.ActionCheckInternet {
		text = offlineSentence
	}
	p.sentence.SetText(text)
	notes := make([]fyne.CanvasObject, 0)
	for _, n := range cs.Notes() {
		notes = append(notes, wrapped(n))
	}
	p.notes.Objects = notes
	p.notes.Hidden = len(notes) == 0 // no empty gap between the settings and the sites
	p.notes.Refresh()
	p.sites.SetText(statusProduct(cs).ShopsLine(cs.Sites))
	if line := cs.Settings.Line(); line != "" {
		p.settings.SetText(line)
		p.settings.Show()
	} else {
		p.settings.Hide()
	}
	p.facts.SetText("ID " + peopleID(cs) + " · token " + connections.TimeLeft(cs.AccessExpiresAt, now) +
		" · checked " + connections.Ago(cs.LastCheckAt, now) + " · refreshed " + connections.Ago(cs.LastRefreshAt, now))

	for _, b := range []*button{p.check, p.refreshNow} {
		if busy != "" || (b == p.check && d.run != nil) {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	p.extra.Objects = p.extraActions(cs)
	p.extra.Refresh()
	p.fixOf = nil
	p.fix.Objects = nil
	p.reconnect.Show()
	if fix := d.shell.fixButton(cs.Fix()); fix != nil && busy == "" {
		p.fixButton.Text, p.fixButton.Icon, p.fixButton.OnTapped = fix.Text, fix.Icon, fix.OnTapped
		p.fixButton.Refresh()
		p.fixOf = p.fixButton
		p.fix.Objects = []fyne.CanvasObject{p.fixButton}
		if cs.Fix().Action == problem.ActionReconnect {
			p.reconnect.Hide() // the fix says it, bottom right
		}
	}
	p.fix.Refresh()
	p.onePrimary()
}

// onePrimary keeps one primary button on the screen: the fix when the selected company has
// one, else Connect another company.
func (p *detailsPane) onePrimary() {
	want := widget.HighImportance
	if p.fixOf != nil && p.body.Visible() {
		want = widget.MediumImportance
	}
	if b := p.d.connectAnother; b != nil && b.Importance != want {
		b.Importance = want
		b.Refresh()
	}
}

// extraActions are the selected company's actions made in other files, shown between
// Disconnect… and the fix: "Copy access token" (ui/copytoken.go), for support staff trying
// an API call.
func (p *detailsPane) extraActions(cs connections.CompanyStatus) []fyne.CanvasObject {
	if cs.Status == connections.StatusNeedsReconnect {
		return nil // Lightspeed refuses its tokens: there is nothing worth copying
	}
	return []fyne.CanvasObject{p.copyToken}
}

// act is Enter on a row: the fix when the company needs one, else a check.
func (p *detailsPane) act() {
	if _, ok := p.d.status(p.d.selected); !ok {
		return
	}
	if p.fixOf != nil {
		p.fixOf.OnTapped()
		return
	}
	if !p.check.Disabled() {
		p.check.OnTapped()
	}
}

// keyScroll is a vertical scroll the keyboard can reach while its content doesn't fit: Tab
// stops on it (with a ring round it, as on the list), and Up, Down, Page Up, Page Down, Home
// and End scroll it. While everything fits it takes no Tab stop.
type keyScroll struct {
	container.Scroll
	ringFocus
}

func newKeyScroll(content fyne.CanvasObject) *keyScroll {
	s := &keyScroll{}
	s.Direction, s.Content = container.ScrollVerticalOnly, content
	s.ExtendBaseWidget(s)
	return s
}

func (s *keyScroll) CreateRenderer() fyne.WidgetRenderer {
	s.ExtendBaseWidget(s)
	return s.ringed(s.Scroll.CreateRenderer(), s)
}

// Disabled is true while the content fits: Fyne's Tab passes over a disabled widget (a
// fyne.Disableable, hence Enable and Disable, which have nothing to do: the content decides).
func (s *keyScroll) Disabled() bool {
	return s.Content == nil || s.Content.MinSize().Height <= s.Size().Height
}

func (s *keyScroll) Enable()  {}
func (s *keyScroll) Disable() {}

func (s *keyScroll) FocusGained() { s.setFocused(true) }
func (s *keyScroll) FocusLost()   { s.setFocused(false) }

func (s *keyScroll) TypedRune(rune) {}

// TypedKey scrolls by a line (a text line's height), a page (the scroll's height less a
// line) or to either end; Escape and Enter go to the window.
func (s *keyScroll) TypedKey(ev *fyne.KeyEvent) {
	line := fyne.MeasureText("M", theme.TextSize(), fyne.TextStyle{}).Height
	page := max(line, s.Size().Height-line)
	y := s.Offset.Y
	switch ev.Name {
	case fyne.KeyDown:
		y += line
	case fyne.KeyUp:
		y -= line
	case fyne.KeyPageDown:
		y += page
	case fyne.KeyPageUp:
		y -= page
	case fyne.KeyHome:
		y = 0
	case fyne.KeyEnd:
		y = s.Content.MinSize().Height
	default:
		toWindow(s, ev)
		return
	}
	s.ScrollToOffset(fyne.NewPos(0, max(0, min(y, s.Content.MinSize().Height-s.Size().Height))))
}
