package assets

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"testing"

	"golang.org/x/image/vector"
)

// The tray icons are drawn here, with Go's image packages, and committed as PNG files. After
// changing the drawing, write them again with:
//
//	go test ./assets -run TestTrayIcons -update
var update = flag.Bool("update", false, "write the tray icons drawn by this test into assets/")

// trayIconSize is the drawing's size: twice the 32 px a tray shows at most, so every stroke
// (drawn on even coordinates, at least 4 px wide) stays crisp when halved.
const trayIconSize = 64

var (
	appBlue   = color.NRGBA{0x21, 0x70, 0xEA, 0xFF} // the app icon's blue
	white     = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	green     = color.NRGBA{0x1E, 0x88, 0x3C, 0xFF}
	red       = color.NRGBA{0xD3, 0x2F, 0x2F, 0xFF}
	amber     = color.NRGBA{0xF9, 0xB0, 0x1E, 0xFF}
	darkBrown = color.NRGBA{0x3A, 0x25, 0x00, 0xFF}
	grey      = color.NRGBA{0x8A, 0x8A, 0x8A, 0xFF}
)

// drawTrayIcon draws one variant: the app's bolt on its blue square, with a badge in the
// corner whose shape (not only its colour) tells the health: a tick, an exclamation mark or a
// bar. With nothing connected the square is a grey outline and there is no badge.
func drawTrayIcon(variant string) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, trayIconSize, trayIconSize))
	if variant == "none" {
		fill(img, grey, roundedRect(2, 2, 56, 56, 12))
		erase(img, roundedRect(7, 7, 51, 51, 8))
		fill(img, grey, bolt())
		return img
	}
	fill(img, appBlue, roundedRect(2, 2, 56, 56, 12))
	fill(img, white, bolt())
	// The badge sits in a transparent ring, so it reads on any panel colour.
	const cx, cy = 47, 47
	erase(img, circle(cx, cy, 17))
	switch variant {
	case "healthy":
		fill(img, green, circle(cx, cy, 14))
		fill(img, white, polyline(5, [2]float32{40, 47}, [2]float32{45, 52}, [2]float32{54, 42})...)
	case "attention":
		fill(img, red, circle(cx, cy, 14))
		fill(img, white, polyline(5, [2]float32{47, 38}, [2]float32{47, 49})...)
		fill(img, white, circle(47, 55, 2.75))
	case "offline":
		fill(img, amber, circle(cx, cy, 14))
		fill(img, darkBrown, polyline(5, [2]float32{40, 47}, [2]float32{54, 47})...)
	default:
		panic("unknown tray icon variant " + variant)
	}
	return img
}

// shape is a closed path for the rasterizer.
type shape func(z *vector.Rasterizer)

// fill paints each shape in c over img, one at a time, so overlapping strokes never cancel.
func fill(img *image.NRGBA, c color.Color, shapes ...shape) {
	for _, s := range shapes {
		z := vector.NewRasterizer(trayIconSize, trayIconSize)
		s(z)
		z.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{})
	}
}

// erase makes img transparent inside the shape, with soft edges.
func erase(img *image.NRGBA, s shape) {
	mask := image.NewAlpha(img.Bounds())
	z := vector.NewRasterizer(trayIconSize, trayIconSize)
	s(z)
	z.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
	for i, m := range mask.Pix {
		a := &img.Pix[4*i+3]
		*a = uint8(uint16(*a) * uint16(255-m) / 255)
	}
}

func roundedRect(x0, y0, x1, y1, r float32) shape {
	return func(z *vector.Rasterizer) {
		const k = 0.5523 // cubic approximation of a quarter circle
		z.MoveTo(x0+r, y0)
		z.LineTo(x1-r, y0)
		z.CubeTo(x1-r+k*r, y0, x1, y0+r-k*r, x1, y0+r)
		z.LineTo(x1, y1-r)
		z.CubeTo(x1, y1-r+k*r, x1-r+k*r, y1, x1-r, y1)
		z.LineTo(x0+r, y1)
		z.CubeTo(x0+r-k*r, y1, x0, y1-r+k*r, x0, y1-r)
		z.LineTo(x0, y0+r)
		z.CubeTo(x0, y0+r-k*r, x0+r-k*r, y0, x0+r, y0)
		z.ClosePath()
	}
}

func circle(cx, cy, r float32) shape {
	return func(z *vector.Rasterizer) {
		const steps = 64
		z.MoveTo(cx+r, cy)
		for i := 1; i < steps; i++ {
			a := 2 * math.Pi * float64(i) / steps
			z.LineTo(cx+r*float32(math.Cos(a)), cy+r*float32(math.Sin(a)))
		}
		z.ClosePath()
	}
}

// polyline is a stroke of the given width through points, with round caps and joins: one
// shape per segment and per joint.
func polyline(width float32, points ...[2]float32) []shape {
	h := width / 2
	var out []shape
	for i := 0; i+1 < len(points); i++ {
		a, b := points[i], points[i+1]
		out = append(out, func(z *vector.Rasterizer) {
			dx, dy := b[0]-a[0], b[1]-a[1]
			n := float32(math.Hypot(float64(dx), float64(dy)))
			px, py := -dy/n*h, dx/n*h
			z.MoveTo(a[0]+px, a[1]+py)
			z.LineTo(b[0]+px, b[1]+py)
			z.LineTo(b[0]-px, b[1]-py)
			z.LineTo(a[0]-px, a[1]-py)
			z.ClosePath()
		})
	}
	for _, p := range points {
		out = append(out, circle(p[0], p[1], h))
	}
	return out
}

// bolt is the app icon's lightning bolt, mapped from its 512 px drawing onto the square.
func bolt() shape {
	pts := [][2]float32{{310, 70}, {150, 290}, {245, 290}, {215, 442}, {362, 212}, {265, 212}}
	return func(z *vector.Rasterizer) {
		for i, p := range pts {
			x, y := 2+(p[0]-16)*54/480, 2+(p[1]-16)*54/480
			if i == 0 {
				z.MoveTo(x, y)
			} else {
				z.LineTo(x, y)
			}
		}
		z.ClosePath()
	}
}

// TestTrayIcons checks that the committed tray icons are what the drawing above makes (or
// writes them with -update), and that each variant can be told from the others without
// colour: in grey, at the 22 px of a small panel.
func TestTrayIcons(t *testing.T) {
	committed := map[string][]byte{"healthy": TrayHealthy, "attention": TrayAttention, "offline": TrayOffline, "none": TrayNone}
	small := map[string]*image.Gray{}
	for variant, embedded := range committed {
		img := drawTrayIcon(variant)
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		file := "tray-" + variant + ".png"
		if *update {
			if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		} else if !bytes.Equal(buf.Bytes(), embedded) {
			t.Errorf("%s differs from what the drawing makes; run: go test ./assets -run TestTrayIcons -update", file)
		}
		decoded, err := png.Decode(bytes.NewReader(embedded))
		if err != nil {
			if *update {
				continue // the embedded bytes are the old ones until the next build
			}
			t.Fatalf("%s: %v", file, err)
		}
		if b := decoded.Bounds(); b.Dx() != trayIconSize || b.Dy() != trayIconSize {
			t.Errorf("%s is %v, want %d px square", file, b.Size(), trayIconSize)
		}
		small[variant] = greyAt(decoded, 22)
	}
	for a := range small {
		for b := range small {
			if a >= b {
				continue
			}
			if d := differingPixels(small[a], small[b]); d < 12 {
				t.Errorf("in grey at 22 px, %s and %s differ in only %d pixels: tell them apart by shape, not colour", a, b, d)
			}
		}
	}
}

// greyAt scales img to size×size (box filter) in luminance, composited on mid-grey the way a
// panel would show it.
func greyAt(img image.Image, size int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, size, size))
	b := img.Bounds()
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			x0, x1 := b.Min.X+x*b.Dx()/size, b.Min.X+(x+1)*b.Dx()/size
			y0, y1 := b.Min.Y+y*b.Dy()/size, b.Min.Y+(y+1)*b.Dy()/size
			var sum, n float64
			for yy := y0; yy < y1; yy++ {
				for xx := x0; xx < x1; xx++ {
					r, g, bl, a := img.At(xx, yy).RGBA()
					bg := 0x8080 * (1 - float64(a)/0xFFFF)
					lum := 0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(bl) // premultiplied
					sum += (lum + bg) / 0x101
					n++
				}
			}
			out.SetGray(x, y, color.Gray{Y: uint8(math.Round(sum / n))})
		}
	}
	return out
}

// differingPixels counts pixels whose grey differs by more than a quarter of the range.
func differingPixels(a, b *image.Gray) int {
	n := 0
	for i := range a.Pix {
		if d := int(a.Pix[i]) - int(b.Pix[i]); d > 64 || d < -64 {
			n++
		}
	}
	return n
}
