"""Static files in production: WhiteNoise's compressed, hashed names when `collectstatic` has
run; the plain names (served by WhiteNoise from the apps) when it has not, instead of a 500 on
every page."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:  # neither in the manifest nor collected: link the plain name
            return name
