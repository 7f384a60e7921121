"""PDF page geometry: characters and drawn lines read with PDFium, ruled tables and text lines rebuilt from them.

PDFium (through pypdfium2) reads a 300-page gazette in a few seconds, where pdfminer-based
readers need a minute; everything above the raw characters and paths is plain geometry
kept here so that it can be tested without a PDF.
"""

# How to get an OCR engine, for the messages that say a scanned page was not read (kept here, out of
# the reader's modules, so that the command line can say it without loading PDFium).
OCR_INSTALL = "pip install 'planwatch[ocr]' (RapidOCR) | apt-get install tesseract-ocr tesseract-ocr-chi-sim"
