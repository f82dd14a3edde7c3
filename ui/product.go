package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// The wizard's first question, asked once: "Which Lightspeed do you use?" Four cards, one
// per product, each with the name merchants know and one line about it. The answer decides
// which integration the details are for, and the words of every screen after it (sites,
// locations, outlets or shops; company, business, store or account). Practice mode asks the
// same question to pick the product the demo plays.

// productQuestion is the screen that asks.
type productQuestion struct {
	shell    *shell
	practice bool
	picker   *productPicker
	back     *button
	next     *button
	onBack   func()
	onChosen func(connections.Product)
	root     fyne.CanvasObject
}

// askProduct reads what to preselect off the UI goroutine (the saved state), then asks.
// Practice mode's question picks the product the demo plays.
func (s *shell) askProduct(practice bool, onBack func(), onChosen func(connections.Product)) {
	if s.chosen.ID != "" {
		s.showProductQuestion(practice, s.chosen, onBack, onChosen)
		return
	}
	s.showLoading("Reading the saved settings…")
	core := s.real
	s.spawn(func() {
		p, ok := savedProduct(s.ctx, core)
		s.deps.do(func() {
			if !ok {
				p = s.rememberedProduct()
			}
			s.showProductQuestion(practice, p, onBack, onChosen)
		})
	})
}

// showProductQuestion shows the question with preselected chosen.
func (s *shell) showProductQuestion(practice bool, preselected connections.Product, onBack func(), onChosen func(connections.Product)) {
	q := newProductQuestion(s, practice, preselected, onBack, onChosen)
	s.show(q.content())
	s.win.Canvas().Focus(q.picker)
}

func newProductQuestion(s *shell, practice bool, preselected connections.Product, onBack func(), onChosen func(connections.Product)) *productQuestion {
	q := &productQuestion{shell: s, practice: practice, onBack: onBack, onChosen: onChosen}
	q.picker = newProductPicker(connections.Products(), preselected.ID)
	q.picker.onSubmit = q.onNextClicked
	q.back = newButton("Back", theme.NavigateBackIcon(), q.onBackClicked)
	q.next = primaryButton("Next", theme.NavigateNextIcon(), q.onNextClicked)
	q.next.IconPlacement = widget.ButtonIconTrailingText
	return q
}

func (q *productQuestion) content() fyne.CanvasObject {
	if q.root != nil {
		return q.root
	}
	title := heading("Which Lightspeed do you use?")
	body := wrapped("Each connects the same way. You can connect the others later, from the dashboard.")
	if q.practice {
		body = wrapped("The demo plays the one you choose, with its own words and rules. Nothing here reaches Lightspeed.")
	}
	q.root = screen(container.NewVBox(title, body, q.picker), q.back, layoutSpacer(), q.next)
	return q.root
}

func (q *productQuestion) onBackClicked() { q.onBack() }

// onNextClicked remembers the answer (the next question preselects it) and moves on.
func (q *productQuestion) onNextClicked() {
	p := q.picker.chosen()
	q.shell.remember(p)
	q.onChosen(p)
}

// The answer is remembered for this window (s.chosen) and for the next start, while nothing
// is saved yet (the app's preferences); once an integration is saved, the state names it.
const productPreference = "wizard.product"

func (s *shell) remember(p connections.Product) {
	s.chosen = p
	s.app.Preferences().SetString(productPreference, p.ID)
}

// rememberedProduct is the last answer given on this computer, O-Series when there is none
// (or it names a product this version doesn't know).
func (s *shell) rememberedProduct() connections.Product {
	p, err := connections.ProductByID(s.app.Preferences().String(productPreference))
	if err != nil {
		return defaultProduct()
	}
	return p
}

// productPicker is the four products as a radio group of cards: one stop for Tab, the arrows
// move the choice, Enter goes on; a click chooses a card. The chosen card carries a filled
// radio mark, not a colour alone.
type productPicker struct {
	widget.BaseWidget
	products []connections.Product
	cards    []*productCard
	selected int
	focused  bool
	onSubmit func()
}

func newProductPicker(products []connections.Product, preselected string) *productPicker {
	p := &productPicker{products: products}
	for i, prod := range products {
		if prod.ID == preselected {
			p.selected = i
		}
		p.cards = append(p.cards, newProductCard(p, i, prod))
	}
	p.ExtendBaseWidget(p)
	return p
}

// chosen is the product whose card is chosen.
func (p *productPicker) chosen() connections.Product { return p.products[p.selected] }

// choose makes card i the chosen one.
func (p *productPicker) choose(i int) {
	if i < 0 || i >= len(p.cards) || i == p.selected {
		return
	}
	p.selected = i
	p.Refresh()
}

func (p *productPicker) Refresh() {
	for _, c := range p.cards {
		c.Refresh()
	}
	p.BaseWidget.Refresh()
}

func (p *productPicker) CreateRenderer() fyne.WidgetRenderer {
	box := container.NewVBox()
	for _, c := range p.cards {
		box.Add(c)
	}
	// Padded: a card's rounded frame is drawn a little outside its box, which the screen's
	// scroll would clip.
	return widget.NewSimpleRenderer(container.NewPadded(box))
}

func (p *productPicker) FocusGained() { p.focused = true; p.Refresh() }

func (p *productPicker) FocusLost() { p.focused = false; p.Refresh() }

func (p *productPicker) TypedRune(rune) {}

func (p *productPicker) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyUp, fyne.KeyLeft:
		p.choose(p.selected - 1)
	case fyne.KeyDown, fyne.KeyRight:
		p.choose(p.selected + 1)
	case fyne.KeyHome:
		p.choose(0)
	case fyne.KeyEnd:
		p.choose(len(p.cards) - 1)
	case fyne.KeyReturn, fyne.KeyEnter:
		if p.onSubmit != nil {
			p.onSubmit()
		}
	case fyne.KeyEscape:
		toWindow(p, ev)
	}
}

// productCard is one product: a radio mark, its name and its line, in a rounded box.
type productCard struct {
	widget.BaseWidget
	picker  *productPicker
	index   int
	hovered bool

	frame *canvas.Rectangle
	mark  *widget.Icon
	name  *widget.Label
	line  *widget.Label
}

func newProductCard(p *productPicker, i int, prod connections.Product) *productCard {
	c := &productCard{picker: p, index: i}
	c.frame = &canvas.Rectangle{CornerRadius: theme.InputRadiusSize()}
	c.mark = widget.NewIcon(theme.RadioButtonIcon())
	c.name = &widget.Label{Text: prod.Name, TextStyle: fyne.TextStyle{Bold: true}}
	c.line = &widget.Label{Text: prod.Description, Wrapping: fyne.TextWrapWord}
	c.ExtendBaseWidget(c)
	return c
}

func (c *productCard) CreateRenderer() fyne.WidgetRenderer {
	c.update()
	words := container.New(tightVBox{}, c.name, c.line)
	body := border(nil, nil, container.NewCenter(c.mark), nil, words)
	return widget.NewSimpleRenderer(container.NewStack(c.frame, container.NewPadded(body)))
}

func (c *productCard) Refresh() {
	c.update()
	c.BaseWidget.Refresh()
}

// update draws the card as chosen or not, and with the keyboard's focus or not.
func (c *productCard) update() {
	p := c.picker
	chosen := p.selected == c.index
	th, v := c.Theme(), fyne.CurrentApp().Settings().ThemeVariant()
	c.frame.StrokeWidth = 1
	c.frame.StrokeColor = th.Color(theme.ColorNameInputBorder, v)
	c.frame.FillColor = th.Color(theme.ColorNameInputBackground, v)
	switch {
	case chosen && p.focused:
		c.frame.StrokeWidth = 2
		c.frame.StrokeColor = th.Color(theme.ColorNamePrimary, v)
		c.frame.FillColor = th.Color(theme.ColorNameFocus, v)
	case chosen:
		c.frame.StrokeWidth = 2
		c.frame.StrokeColor = th.Color(theme.ColorNamePrimary, v)
	case c.hovered:
		c.frame.FillColor = th.Color(theme.ColorNameHover, v)
	}
	c.frame.Refresh()
	if chosen {
		c.mark.SetResource(theme.NewPrimaryThemedResource(theme.RadioButtonCheckedIcon()))
	} else {
		c.mark.SetResource(theme.RadioButtonIcon())
	}
}

// Tapped chooses the card and gives the group the keyboard.
func (c *productCard) Tapped(*fyne.PointEvent) {
	c.picker.choose(c.index)
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c.picker); cv != nil {
		cv.Focus(c.picker)
	}
}

func (c *productCard) MouseIn(*desktop.MouseEvent) { c.hovered = true; c.Refresh() }

func (c *productCard) MouseMoved(*desktop.MouseEvent) {}

func (c *productCard) MouseOut() { c.hovered = false; c.Refresh() }

// Cursor shows the hand: the whole card is the button.
func (c *productCard) Cursor() desktop.Cursor { return desktop.PointerCursor }

// tightVBox stacks a name and its line without the theme's padding between them, so the
// line reads as the name's.
type tightVBox struct{}

func (tightVBox) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	gap := -theme.InnerPadding()
	for i, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h
		if i == 0 {
			y += gap
		}
	}
}

func (tightVBox) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for _, o := range objs {
		m := o.MinSize()
		w, h = max(w, m.Width), h+m.Height
	}
	if len(objs) > 1 {
		h -= theme.InnerPadding()
	}
	return fyne.NewSize(w, h)
}
