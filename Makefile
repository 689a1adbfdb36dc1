# CityTwin — `make serve` and `make test` do all set-up on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

APT_PACKAGES := pkg-config libgeos-dev libproj-dev proj-data libsqlite3-dev libspatialite-dev \
                libsqlite3-mod-spatialite sqlite3 gdal-bin python3-venv time
PY_PACKAGES  := pyproj==3.6.1 shapely==2.0.6
VENV         := .venv
DB           ?= citytwin.sqlite
HOST         ?= 127.0.0.1
PORT         ?= 8080
SWIFT        ?= swift
BIN          := .build/debug/citytwin

.PHONY: help deps venv build release serve test bench-import clean

help:
	@echo "make serve   build, load GeoData/ into $(DB) if empty, serve on $(HOST):$(PORT)"
	@echo "make test    build and run every test"
	@echo "make bench-import   import benchmark against ogr2ogr (release build)"

# System libraries: apt-get update once, and only when something is missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# Independent checkers for tests (pyproj ships its own PROJ build; shapely its own GEOS).
venv: $(VENV)/.ok
$(VENV)/.ok:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check $(PY_PACKAGES)
	touch $@

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

serve: build
	$(BIN) serve --db $(DB) --host $(HOST) --port $(PORT) --geodata GeoData

test: deps venv
	$(SWIFT) build --build-tests
	CITYTWIN_PYTHON=$(CURDIR)/$(VENV)/bin/python CITYTWIN_BIN=$(CURDIR)/$(BIN) \
	  $(SWIFT) test --skip-build --no-parallel

bench-import: release
	Benchmarks/import-vs-ogr2ogr.sh

clean:
	rm -rf .build $(VENV) $(DB) $(DB)-wal $(DB)-shm
