// A shared library named like a recipe plugin but exporting no descriptor.
extern "C" __attribute__((visibility("default"))) int kiln_something_else(void) {
  return 42;
}
