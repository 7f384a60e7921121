"""PDF page geometry: characters and drawn lines read with PDFium, ruled tables and text lines rebuilt from them.

PDFium (through pypdfium2) reads a 300-page gazette in a few seconds, where pdfminer-based
readers need a minute; everything above the raw characters and paths is plain geometry
kept here so that it can be tested without a PDF.
"""
