# Lightspeed Connect. The two commands a newcomer needs: `make run` and `make test`.
# Each installs what it needs (scripts/deps) when it is missing.

GO        ?= go
TAGS      := migrated_fynedo
BIN       := lightspeed-connect
# The packaging tool, pinned; run outside go.mod so it cannot move the app's own Fyne version.
FYNE      := $(GO) run fyne.io/tools/cmd/fyne@v1.7.4
# Every package except the window's: these must cross-compile without cgo.
CORE_PKGS  = $(shell $(GO) list -f '{{if ne .Name "main"}}{{.ImportPath}}{{end}}' ./... | grep -v -E '/(ui|internal/bench)(/|$$)')
# Bounds on a hung run (a stray keyring prompt), not on speed. A cold build cache costs most
# of it: the Linux, race and Windows builds each compile Fyne's C parts (see the README).
TEST_TIMEOUT ?= 40m
PACKAGE_TIMEOUT ?= 30m
# The C cross compiler for 64-bit Windows (mingw-w64; scripts/deps installs it on Debian/Ubuntu).
WINDOWS_CC ?= x86_64-w64-mingw32-gcc
# What the fyne tool names the packages, after Name in FyneApp.toml.
LINUX_PACKAGE   := Lightspeed Connect.tar.xz
WINDOWS_PACKAGE := Lightspeed Connect.exe

.PHONY: run build test check-format vet portability windows test-go test-package check-packages \
	bench fuzz package package-windows package-macos screenshots deps clean

deps:
	@scripts/deps

run: deps
	$(GO) run -tags $(TAGS) .

build: deps
	$(GO) build -tags $(TAGS) -o $(BIN) .

# Everything runs inside ONE throwaway desktop session (scripts/test-env): a private D-Bus,
# an unlocked gnome-keyring, Xvfb, a temporary HOME. `timeout` stops a stray prompt hanging it.
test: deps
	timeout --kill-after=30s $(TEST_TIMEOUT) scripts/test-env $(MAKE) --no-print-directory check-format vet portability windows test-go

check-format:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	@echo "gofmt: ok"

vet:
	$(GO) vet -tags $(TAGS) ./...

portability:
	@scripts/portability $(CORE_PKGS)

# The whole app, Fyne's GLFW driver and the linker included, cross-compiled for Windows with
# mingw-w64 (the same compiler `make package-windows` uses), and every package's tests vetted
# for Windows, so a Windows-only break fails here. Nothing is kept; the Go build cache makes
# runs after the first quick.
WINDOWS_ENV := GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=$(WINDOWS_CC)
windows:
	$(WINDOWS_ENV) $(GO) build -tags $(TAGS) -o /dev/null .
	$(WINDOWS_ENV) $(GO) vet -tags $(TAGS) ./...
	@echo "windows: ok (the app links for windows/amd64 with cgo; all packages and tests vetted)"

test-go:
	$(GO) test -race -tags $(TAGS) -count=1 -timeout 20m ./...

bench: deps
	scripts/test-env $(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem ./...

fuzz: deps
	scripts/fuzz

# `fyne package --release` bumps Build in FyneApp.toml and reformats it; the tracked file is
# put back afterwards so packaging never leaves the tree dirty.
# Each screen rendered by Fyne's test driver into docs/screenshots/ (shown in the README).
screenshots:
	LSC_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(GO) test -tags $(TAGS) -count=1 -run TestScreenshots ./ui/

package: deps
	@cp FyneApp.toml .FyneApp.toml.keep
	@status=0; $(FYNE) package --os linux --release --tags $(TAGS) || status=$$?; \
	  mv .FyneApp.toml.keep FyneApp.toml; exit $$status
	@ls -l "$(LINUX_PACKAGE)"

# `Lightspeed Connect.exe` for 64-bit Windows, cross-built here: the fyne tool embeds the icon,
# version and manifest as Windows resources and builds the app with GOOS=windows and cgo on,
# using the C compiler in CC. The tool itself needs no cgo and is built without it, so that CC
# (a Windows compiler) reaches only the app's build.
package-windows: deps
	@cp FyneApp.toml .FyneApp.toml.keep
	@status=0; CGO_ENABLED=0 CC=$(WINDOWS_CC) $(FYNE) package --os windows --release --tags $(TAGS) || status=$$?; \
	  mv .FyneApp.toml.keep FyneApp.toml; exit $$status
	@ls -l "$(WINDOWS_PACKAGE)"

# `Lightspeed Connect.app`, on a Mac only: Fyne's macOS driver is compiled with Apple's toolchain.
package-macos: deps
	@[ "$$(uname -s)" = Darwin ] || { echo "make package-macos runs on a Mac (Fyne's macOS driver is built with Apple's toolchain)." >&2; exit 1; }
	@cp FyneApp.toml .FyneApp.toml.keep
	@status=0; $(FYNE) package --os darwin --release --tags $(TAGS) || status=$$?; \
	  mv .FyneApp.toml.keep FyneApp.toml; exit $$status

# Both packages made and checked as a user gets them (scripts/test-package). Separate from
# `make test` because packaging builds the app again in release mode (-trimpath, the release
# tag), which shares nothing with the test builds in the Go build cache; CI runs both.
test-package: deps
	timeout --kill-after=30s $(PACKAGE_TIMEOUT) scripts/test-env $(MAKE) --no-print-directory package package-windows check-packages

check-packages:
	scripts/test-package "$(LINUX_PACKAGE)" "$(WINDOWS_PACKAGE)"

clean:
	rm -rf $(BIN) *.tar.xz "$(WINDOWS_PACKAGE)" $(BIN).exe "Lightspeed Connect.app"
