# vanthu — two commands do everything on a fresh Debian/Ubuntu machine:
#   make run    install what is missing, build, open the app
#   make test   install what is missing, run every test
SHELL := /bin/bash
GO ?= go
BIN := bin
STATICCHECK_VERSION := v0.8.2
DATA_DIR ?= $(or $(XDG_DATA_HOME),$(HOME)/.local/share)/vanthu
# Tests run one package at a time: 2 cores, and cgo/Fyne compiles are heavy.
GOTEST_FLAGS ?= -p 1 -count=1 -timeout 40m

.PHONY: run test deps build lint gotest cross-nocgo clean

deps:
	@scripts/install-deps.sh

build: deps
	$(GO) build -o $(BIN)/vanthu .

run: build
	@scripts/run.sh $(BIN)/vanthu "$(DATA_DIR)"

$(BIN)/staticcheck:
	GOBIN=$(CURDIR)/$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

lint: deps $(BIN)/staticcheck
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	CGO_ENABLED=0 $(GO) vet ./token/ ./internal/testpki/
	$(BIN)/staticcheck ./...

# The !cgo build of the token package must compile and say why it cannot work.
cross-nocgo:
	CGO_ENABLED=0 $(GO) test -count=1 ./token/

gotest: deps
	scripts/with-display.sh $(GO) test $(GOTEST_FLAGS) ./...

test: deps lint build cross-nocgo gotest

clean:
	rm -rf $(BIN)
