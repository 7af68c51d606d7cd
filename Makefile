# vanthu — two commands do everything on a fresh Debian/Ubuntu machine:
#   make run    install what is missing, build, open the app
#   make test   install what is missing, run every test
#   make package  the Linux archive and the Windows .exe, in dist/
SHELL := /bin/bash
GO ?= go
BIN := bin
DIST := dist
# The version lives in FyneApp.toml alone.
VERSION := $(shell sed -n '/^\[Details\]/,/^\[/s/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' FyneApp.toml)
LDFLAGS := -X github.com/vanthu/vanthu/app/internal/appinfo.Version=$(VERSION)
STATICCHECK_VERSION := v0.8.2
DATA_DIR ?= $(or $(XDG_DATA_HOME),$(HOME)/.local/share)/vanthu
# Tests run one package at a time: 2 cores, and cgo/Fyne compiles are heavy.
GOTEST_FLAGS ?= -p 1 -count=1 -timeout 40m

.PHONY: run test deps build package lint gotest cross-nocgo clean

deps:
	@scripts/install-deps.sh

build: deps
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/vanthu .

# Linux archive (fyne tool) and Windows .exe (mingw-w64): scripts/package.sh.
package: deps
	scripts/package.sh $(DIST)

run: build
	@scripts/run.sh $(BIN)/vanthu "$(DATA_DIR)"

$(BIN)/staticcheck:
	GOBIN=$(CURDIR)/$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

lint: deps $(BIN)/staticcheck
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	CGO_ENABLED=0 $(GO) vet ./token/ ./internal/testpki/
	GOOS=windows CGO_ENABLED=0 $(GO) vet ./app/internal/console/ ./token/
	$(BIN)/staticcheck ./...

# The !cgo build of the token package must compile and say why it cannot work.
cross-nocgo:
	CGO_ENABLED=0 $(GO) test -count=1 ./token/

# The release packages are built first: internal/dist tests them (Wine, Xvfb).
gotest: deps package
	VANTHU_DIST=$(CURDIR)/$(DIST) scripts/with-display.sh $(GO) test $(GOTEST_FLAGS) ./...

test: deps lint build cross-nocgo gotest

clean:
	rm -rf $(BIN) $(DIST)
