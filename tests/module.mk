# End-to-end tests: tests/e2e/NN-name.sh, each drives the real stack (private pcscd + driver + card + tools).
# They need root (or unprivileged user namespaces) for the private mount namespace of `cardlet with`.
E2E_DEPS ?=
e2e: programs $(E2E_DEPS)
	@BUILD=$(BUILD) tests/run-e2e.sh $(E2E)
