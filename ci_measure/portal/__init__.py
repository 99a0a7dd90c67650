"""The upload portal (`ci-measure serve`): partners deliver and correct files from a browser.

Only :mod:`ci_measure.portal.tokens` is imported by the light CLI commands (`partner-link`);
the web application (:func:`ci_measure.portal.app.create_app`) needs Starlette and is
imported only by `serve` and the tests.
"""
