package dev.eidetica.backend;

class InMemoryBackendTest extends BackendContractTest {
  @Override
  protected Backend newBackend() {
    return new InMemoryBackend();
  }
}
