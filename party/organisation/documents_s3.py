"""Member documents in a private S3-compatible bucket (PARTY_DOCUMENTS_STORAGE=s3): objects are
written with the private ACL under their own prefix and never overwritten, and there is no URL —
not even a signed one — so the only way out stays the scoped, access-logged download view, which
streams the object from the bucket. Imported only when configured (boto3 is loaded with it)."""

from storages.backends.s3 import S3Storage


class PrivateS3DocumentStorage(S3Storage):
    def __init__(self, **options):
        options.update(default_acl="private", querystring_auth=True, file_overwrite=False)
        super().__init__(**options)

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Party documents have no public URL: serve them through their view.")
