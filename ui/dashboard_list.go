package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// companyList is the dashboard's list: one line per company (a tick box for the bulk
// actions, the status in a word and a colour, the name, the sites, the token's time left and
// the last check), virtualised so five hundred companies cost no more than the dozen on
// screen. Above it, a header names the columns; once companies are ticked it offers the bulk
// actions instead.
//
// Multi-select is by tick boxes rather than Ctrl/Shift-click: Fyne 2.7's List selects one
// row, and its tap events carry no modifier keys, so a modifier-click would need a hand-made
// list. Tick boxes are also visible (what is chosen stays on screen while the selection moves
// to read details), work with a touchpad alone, and Space ticks the selected row.
type companyList struct {
	d      *dashboard
	list   *keyList
	empty  *widget.Label
	box    *fyne.Container
	header *listHeader

	laidOut     map[*fyne.Container]int // each row's rowColumns.version when it was last laid out
	selecting   bool                    // the list's selection is being set from the dashboard, not by a person
	selectedRow int                     // the row the list has selected, -1 for none
	follow      bool                    // the next refresh scrolls to the selection (a new filter or search)
}

func newCompanyList(d *dashboard) *companyList {
	c := &companyList{d: d, selectedRow: -1, laidOut: map[*fyne.Container]int{}, empty: &widget.Label{Wrapping: fyne.TextWrapWord, Alignment: fyne.TextAlignCenter}}
	c.list = &keyList{onKey: c.handleKey}
	c.list.Length = func() int { return len(d.shown) }
	c.list.CreateItem = c.newCompanyRow
	c.list.UpdateItem = c.updateRow
	c.list.OnSelected = c.onSelected
	c.list.ExtendBaseWidget(c.list)
	c.box = container.NewStack(c.list, container.NewVBox(c.empty))
	c.header = newListHeader(d)
	return c
}

// refresh redraws the rows on screen and puts the selection on the selected company.
func (c *companyList) refresh() {
	d := c.d
	switch {
	case len(d.statuses) == 0:
		c.empty.SetText("No companies are connected on this computer. Click Connect another company to add one.")
		c.empty.Show()
	case len(d.shown) == 0 && d.query != "":
		company, shop := d.deskWords()
		c.empty.SetText("No " + company + " matches “" + d.search.Text + "”. Search looks in names, IDs and " + shop + " names.")
		c.empty.Show()
	case len(d.shown) == 0:
		c.empty.SetText("No company is " + lowerLabel(d.filter) + " now. Click the highlighted count above to show every company.")
		c.empty.Show()
	default:
		c.empty.Hide()
	}
	c.selecting = true
	row := d.shownIndex(d.selected)
	switch {
	case row >= 0 && row != c.selectedRow:
		offset := c.list.GetScrollOffset()
		c.list.Select(row) // redraws the rows on screen too, and scrolls to the row
		switch {
		case c.list.Size().Height == 0:
			// Not laid out yet: Select scrolled as if no row fitted, which would hide the
			// first row once the list has its size. The selection is the first row then.
			c.list.ScrollToTop()
		case !c.follow:
			// The company moved because results came in: the highlight goes with it, the
			// rows the person is reading stay where they are.
			c.list.ScrollToOffset(offset)
		}
	case row < 0 && c.selectedRow >= 0:
		c.list.UnselectAll()
		c.list.Refresh()
	case row >= 0 && c.follow:
		c.list.ScrollTo(row) // redraws the rows on screen too
	default:
		c.list.Refresh()
	}
	c.selectedRow = row
	c.selecting = false
	c.follow = false
	c.header.refresh()
}

func lowerLabel(s connections.Status) string {
	if s == connections.StatusNeedsReconnect {
		return "waiting to be reconnected"
	}
	return "“" + connections.StatusLabel(s) + "”"
}

// onSelected shows the company a person clicked (or reached with the arrows) in the pane.
func (c *companyList) onSelected(row widget.ListItemID) {
	if c.selecting || row < 0 || row >= len(c.d.shown) {
		return
	}
	c.selectedRow = row
	c.d.selectID(c.d.statuses[c.d.shown[row]].ID)
}

// handleKey is the list's keyboard; it reports whether it used the key.
func (c *companyList) handleKey(ev *fyne.KeyEvent) bool {
	d := c.d
	row := d.shownIndex(d.selected)
	switch ev.Name {
	case fyne.KeyDown:
		c.move(row + 1)
	case fyne.KeyUp:
		c.move(row - 1)
	case fyne.KeyPageDown:
		c.move(row + 10)
	case fyne.KeyPageUp:
		c.move(row - 10)
	case fyne.KeyHome:
		c.move(0)
	case fyne.KeyEnd:
		c.move(len(d.shown) - 1)
	case fyne.KeyReturn, fyne.KeyEnter:
		d.details.act()
	case fyne.KeySpace:
		if row >= 0 {
			d.choose(d.selected, !d.chosen[d.selected])
			c.list.RefreshItem(row)
		}
	case fyne.KeyDelete, fyne.KeyBackspace: // Backspace is the Delete key of a Mac keyboard
		if row >= 0 {
			d.onDisconnectClicked(d.selected)
		}
	case fyne.KeyEscape:
		if len(d.chosen) > 0 {
			d.clearChosen()
		}
	default:
		return false
	}
	return true
}

// typedKey takes the window's keys while nothing is focused.
func (c *companyList) typedKey(ev *fyne.KeyEvent) bool {
	if !c.handleKey(ev) {
		return false
	}
	c.d.shell.win.Canvas().Focus(c.list)
	return true
}

// move selects the row at index, kept within the list, and scrolls to it.
func (c *companyList) move(row int) {
	d := c.d
	if len(d.shown) == 0 {
		return
	}
	row = max(0, min(row, len(d.shown)-1))
	c.list.Select(row)
}

// The columns of a row, left to right.
const (
	colTick = iota
	colStatus
	colName
	colProduct
	colSites
	colToken
	colChecked
	columns
)

// rowLayout lines the columns up from row to row: fixed widths wide enough for their longest
// words, the name taking what is left (and an ellipsis when that is not enough). The
// product's column and the width of the sites' depend on the products on the desk (cols).
type rowLayout struct{ cols *rowColumns }

// columnSamples are the widest texts each fixed column shows; the product's and the sites'
// are in rowColumns, as they depend on the products on the desk.
var columnSamples = [columns]string{
	colStatus:  "● Credentials invalid",
	colToken:   "888 min left",
	colChecked: "checked 88 days ago",
}

func (l rowLayout) columnWidth(col int, o fyne.CanvasObject) float32 {
	if col == colTick || col == colName {
		return o.MinSize().Width
	}
	sample := columnSamples[col]
	switch {
	case col == colProduct && !l.cols.product:
		return 0
	case col == colProduct:
		sample = l.cols.productSample
	case col == colSites:
		sample = l.cols.sites
	}
	pad := 2 * theme.InnerPadding()
	return fyne.MeasureText(sample, theme.TextSize(), fyne.TextStyle{Bold: col == colStatus}).Width + pad
}

func (l rowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	widths := make([]float32, len(objs))
	fixed := float32(0)
	for i, o := range objs {
		if i != colName {
			widths[i] = l.columnWidth(i, o)
			fixed += widths[i]
		}
	}
	widths[colName] = max(0, size.Width-fixed)
	x := float32(0)
	for i, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(x, (size.Height-h)/2))
		o.Resize(fyne.NewSize(widths[i], h))
		x += widths[i]
	}
}

func (l rowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for i, o := range objs {
		if i != colName {
			w += l.columnWidth(i, o)
		}
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(w+60, h)
}

// newCompanyRow is a row's template; updateRow fills it in.
func (c *companyList) newCompanyRow() fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, columns)
	objs[colTick] = newRowTick()
	objs[colStatus] = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}}
	objs[colName] = &widget.Label{Truncation: fyne.TextTruncateEllipsis}
	objs[colProduct] = &widget.Label{Truncation: fyne.TextTruncateEllipsis}
	objs[colSites] = &widget.Label{}
	objs[colToken] = &widget.Label{}
	objs[colChecked] = &widget.Label{}
	return container.New(rowLayout{c.d.columns}, objs...)
}

func (c *companyList) updateRow(row widget.ListItemID, o fyne.CanvasObject) {
	d := c.d
	if row < 0 || row >= len(d.shown) {
		return
	}
	cs := d.statuses[d.shown[row]]
	now := d.shell.deps.now()
	objs := o.(*fyne.Container).Objects
	tick := objs[colTick].(*rowTick)
	tick.setChecked(d.chosen[cs.ID])
	id := cs.ID
	tick.onChanged = func(on bool) { d.choose(id, on) }
	setBadge(objs[colStatus].(*widget.Label), cs, d.busy[cs.ID])
	objs[colName].(*widget.Label).SetText(cs.Name)
	c.setProductColumn(o.(*fyne.Container), cs)
	objs[colSites].(*widget.Label).SetText(cs.SitesShown())
	objs[colToken].(*widget.Label).SetText(connections.TimeLeft(cs.AccessExpiresAt, now))
	objs[colChecked].(*widget.Label).SetText("checked " + connections.Ago(cs.LastCheckAt, now))
}

// setBadge shows a status in a word and the theme's colour for it, or what is under way.
func setBadge(l *widget.Label, cs connections.CompanyStatus, busy string) {
	if busy != "" {
		l.Importance = widget.LowImportance
		l.TextStyle = fyne.TextStyle{Italic: true}
		l.SetText(busy + "…")
		return
	}
	l.Importance = urgencyImportance(cs.Status)
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.SetText("● " + connections.StatusLabel(cs.Status))
}

// urgencyImportance is the theme's colour for a status's urgency (decided by the core); the
// word beside it carries the meaning.
func urgencyImportance(s connections.Status) widget.Importance {
	switch {
	case s.Urgency() == connections.UrgencyFix:
		return widget.DangerImportance
	case s.Urgency() == connections.UrgencyOffline:
		return widget.WarningImportance
	case s == connections.StatusHealthy:
		return widget.SuccessImportance
	default:
		return widget.MediumImportance
	}
}

// listHeader names the columns and ticks every company shown; with companies ticked it says
// how many and offers the bulk actions.
type listHeader struct {
	d       *dashboard
	tickAll *widget.Check // in the column titles: tick every company shown
	untick  *widget.Check // in the bulk bar, ticked: untick every company
	titles  *fyne.Container
	// company, product and sites name their columns in the desk's words.
	company, product, sites *widget.Label
	chosen                  *widget.Label
	check                   *button
	export                  *button
	disconnect              *button
	bulk                    *fyne.Container
	box                     *fyne.Container
}

func newListHeader(d *dashboard) *listHeader {
	h := &listHeader{d: d}
	h.tickAll = &widget.Check{OnChanged: func(on bool) {
		if on {
			d.chooseShown()
		}
	}}
	h.untick = &widget.Check{Checked: true, OnChanged: func(on bool) {
		if !on {
			d.clearChosen()
		}
	}}
	caption := func(text string) *widget.Label {
		return &widget.Label{Text: text, Importance: widget.LowImportance, TextStyle: fyne.TextStyle{Bold: true}}
	}
	h.company, h.product, h.sites = caption("Company"), caption("Product"), caption("Sites")
	h.titles = container.New(rowLayout{d.columns}, h.tickAll, caption("Status"), h.company, h.product, h.sites, caption("Token"), caption("Last check"))
	h.chosen = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}}
	h.check = keyButton(&widget.Button{Text: "Check chosen", Icon: theme.ViewRefreshIcon(), OnTapped: d.onCheckChosenClicked})
	h.export = keyButton(&widget.Button{Text: "Export chosen…", Icon: theme.DocumentSaveIcon(), OnTapped: d.onExportChosenClicked})
	h.disconnect = keyButton(&widget.Button{Text: "Disconnect chosen…", Importance: widget.LowImportance, OnTapped: d.onDisconnectChosenClicked})
	h.bulk = container.NewHBox(h.untick, h.chosen, h.check, h.export, h.disconnect)
	h.box = container.NewStack(h.titles, h.bulk)
	return h
}

// refresh switches between the column titles and the bulk actions.
func (h *listHeader) refresh() {
	d := h.d
	n := len(d.chosen)
	h.nameColumns()
	if n == 0 {
		h.tickAll.Checked = false
		h.tickAll.Refresh()
		h.bulk.Hide()
		h.titles.Show()
		return
	}
	h.untick.Checked = true
	h.untick.Refresh()
	h.chosen.SetText(strconv.Itoa(n) + " chosen")
	if d.run != nil {
		h.check.Disable()
	} else {
		h.check.Enable()
	}
	h.titles.Hide()
	h.bulk.Show()
}
