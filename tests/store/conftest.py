from tests.catalog_fixtures import catalog_store, seed_review

__all__ = ["catalog_store", "seed_review"]
