"""Language-model backends (the `llm` kind): the writer and the director ask them."""
