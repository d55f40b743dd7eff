test:
	bash scripts/test.sh

run:
	python -m pip install -r requirements.txt && python app.py

bench:
	python -m pip install -r requirements-bench.txt && python -m bench.run

.PHONY: test run bench
