module github.com/vanthu/vanthu

go 1.26.0

require (
	github.com/digitorus/timestamp v0.0.0-20231217203849-220c5c2851b7
	github.com/miekg/pkcs11 v1.1.2
	golang.org/x/crypto v0.58.0
)

require (
	fyne.io/fyne/v2 v2.7.2 // indirect
	github.com/digitorus/pkcs7 v0.0.0-20230818184609-3a137a874352 // indirect
	github.com/pdfcpu/pdfcpu v0.15.0 // indirect
	github.com/rogpeppe/go-internal v1.16.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/term v0.47.0 // indirect
)
