"""Text and HTML normalisation that both sides of govnews need, and nothing else.

The crawler (extraction) and the pipelines (cleaning, the content hash) must agree on what
"the same text" and "safe body HTML" are, yet neither may import the other's internals; this
package is the one place both import. No Scrapy, no database, no I/O.
"""
