"""Layer 3, the report: what the chapters and the generated pages say and show
(tables, figures, statements checked against the data, citations).
"""
