"""The coding screen (Kodning): the passage list, the codebook panel and the screen that binds them."""
