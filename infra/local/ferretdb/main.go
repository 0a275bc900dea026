// Command ledgerbox-ferretdb runs FerretDB (a MongoDB wire-protocol server) on
// its SQLite backend for the local stack.
//
// Why our own main: FerretDB's cmd/ferretdb, built with `go install`, panics
// at start because the module does not ship the build/version/version.txt its
// release build generates. The embeddable package github.com/FerretDB/FerretDB/ferretdb
// is the supported way to run it from another module and has no such check.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// ferretDBVersion is for the start-up line only; keep it in step with go.mod.
const ferretDBVersion = "v1.24.2"

func main() {
	listen := flag.String("listen", "127.0.0.1:27018", "TCP address to listen on")
	dir := flag.String("sqlite-dir", "", "directory for the SQLite databases (one file per database)")
	// warn by default: at info FerretDB logs every connection open and close.
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	if err := run(*listen, *dir, *logLevel); err != nil {
		fmt.Fprintln(os.Stderr, "ledgerbox-ferretdb:", err)
		os.Exit(1)
	}
}

func run(listen, dir, logLevel string) error {
	if dir == "" {
		return fmt.Errorf("-sqlite-dir is required")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return err
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: listen},
		Logger:   logger,
		Handler:  "sqlite",
		// A SQLite URI naming a directory: the trailing slash is required.
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		return err
	}

	// SIGTERM from down.sh: stop accepting, close connections and the databases.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Printed whatever the level, so the log always shows what started where.
	fmt.Fprintf(os.Stderr, "ledgerbox-ferretdb: FerretDB %s, SQLite in %s, listening on %s\n", ferretDBVersion, abs, listen)
	return f.Run(ctx)
}
