# One way to run things. `make up` installs and starts the platform;
# `make test` runs every check CI runs.
.PHONY: up down test build vet bench

up:
	./deploy/install.sh

down:
	./deploy/stop.sh

test:
	./deploy/test.sh

build:
	go build ./...

vet:
	go vet ./...

bench:
	./bench/push-to-serving.sh
