"""Layer 4, the book: executing the notebooks, the HTML and the PDF, the table of
contents, and what the build needs (the Snakefile's steps, rebuild inputs, locks).
"""
