"""Many institutions, many years: the collection layout, a generator of synthetic collections, and
batch runs on Dask."""
