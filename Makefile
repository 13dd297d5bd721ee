# Two commands set everything up on a fresh machine:
#   make run    create .venv if needed, install, start the app
#   make test   the same set-up, then the whole test suite offscreen
#   make lint   the same set-up, then ruff (package and tests) and mypy (package);
#               both configured in pyproject.toml, both must report nothing
#   make dist   the same set-up plus PyInstaller, then the one-folder bundle
#               dist/scrutiny-desktop/ (see build.spec and docs/INSTALL.md)
#   make torture  kill -9 trials at the service level and in the real window
#               (not part of make test; prints files harmed and typing lost)
#   make a11y   the real app under Xvfb, a session bus and the AT-SPI bus, audited
#               out of process through pyatspi (tests/a11y/README.md; needs the
#               Debian packages xvfb at-spi2-core python3-pyatspi xdotool openbox)

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
BUILD_STAMP := $(VENV)/.build-installed-stamp
BUNDLE := dist/scrutiny-desktop
# Largest bundle we accept, in MB on disk (du -sm); issue 5's budget.
BUNDLE_BUDGET_MB ?= 200

TORTURE_TRIALS ?= 200
GUI_TORTURE_TRIALS ?= 20
ENCRYPTED_TORTURE_TRIALS ?= 50

.PHONY: run test lint torture a11y bench screenshots dist clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	@echo "Creating a private Python environment in $(VENV) (first run only)…"
	$(PYTHON) -m venv $(VENV)
	@echo "Updating pip in $(VENV)…"
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	@echo "Installing Scrutiny Desktop and its libraries (Qt, SQLAlchemy, reportlab…) into $(VENV)."
	@echo "The first time this downloads about 150 MB and takes a minute or two; later runs skip it."
	$(PY) -m pip install --quiet --progress-bar off -e '.[test]'
	@touch $(STAMP)
	@echo "Installed."

run: $(STAMP)
	$(VENV)/bin/scrutiny-desktop $(ARGS)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

# benchmarks/ is linted too once it exists.
LINT_PATHS := scrutiny_desktop tests packaging $(wildcard benchmarks)

lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/mypy

torture: $(STAMP)
	$(PY) tests/torture/service_torture.py --trials $(TORTURE_TRIALS)
	$(PY) tests/torture/service_torture.py --trials $(ENCRYPTED_TORTURE_TRIALS) --encrypted
	$(PY) tests/torture/gui_torture.py --trials $(GUI_TORTURE_TRIALS)

# Debian's interpreter, where python3-pyatspi lives (the app itself runs from $(VENV)).
A11Y_PYTHON ?= /usr/bin/python3
A11Y_ARGS ?=

a11y: $(STAMP)
	@command -v xvfb-run >/dev/null && command -v dbus-run-session >/dev/null \
	  && command -v xdotool >/dev/null && test -x $(A11Y_PYTHON) \
	  && $(A11Y_PYTHON) -c 'import pyatspi' 2>/dev/null \
	  || { echo "make a11y needs the Debian packages xvfb dbus-daemon at-spi2-core python3-pyatspi xdotool" \
	       "(and openbox), with pyatspi importable by $(A11Y_PYTHON):" \
	       "apt-get install xvfb dbus-daemon at-spi2-core python3-pyatspi xdotool openbox" >&2; exit 2; }
	xvfb-run -a -s '-screen 0 1366x768x24' dbus-run-session -- \
	  $(A11Y_PYTHON) tests/a11y/audit.py $(A11Y_ARGS)

# Speed as ratios against the bare libraries on this machine (nothing is asserted).
bench: $(STAMP)
	$(PY) benchmarks/startup.py
	$(PY) benchmarks/bundle_start.py
	$(PY) benchmarks/save_speed.py
	$(PY) benchmarks/pdf_speed.py
	$(PY) benchmarks/pdf_long_text.py
	$(PY) benchmarks/encryption.py
	$(PY) benchmarks/open_speed.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/edit_latency.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/library.py

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m scrutiny_desktop.ui.screenshots docs/screenshots
	@# The question page at 150 % (a 1920x1080 screen: 1280x720 logical), and in a dark palette.
	rm -rf .screenshots-variants
	QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=1.5 $(PY) -m scrutiny_desktop.ui.screenshots \
	  .screenshots-variants --size 1280x720 --suffix=-150
	QT_QPA_PLATFORM=offscreen $(PY) -m scrutiny_desktop.ui.screenshots .screenshots-variants \
	  --dark --suffix=-dark
	cp .screenshots-variants/question-150.png .screenshots-variants/question-dark.png docs/screenshots/
	rm -rf .screenshots-variants

# The build extra (PyInstaller) goes into the same .venv, with its own stamp so
# `make run` and `make test` never need it.
$(BUILD_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,build]'
	@touch $(BUILD_STAMP)

dist: $(BUILD_STAMP)
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build build.spec
	@size=$$(du -sm $(BUNDLE) | cut -f1); \
	echo "bundle: $(BUNDLE) $$(du -sh $(BUNDLE) | cut -f1) ($$size MB; budget $(BUNDLE_BUDGET_MB) MB)"; \
	if [ "$$size" -gt "$(BUNDLE_BUDGET_MB)" ]; then \
		echo "error: the bundle is over the $(BUNDLE_BUDGET_MB) MB budget" >&2; exit 1; fi

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
