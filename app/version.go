package app

// Version is the application version; release builds set it with
// -ldflags "-X github.com/vanthu/vanthu/app.Version=…".
var Version = "0.1.0-dev"
