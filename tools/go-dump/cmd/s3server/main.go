// s3server serves the S3 API on loopback from a directory, with gofakes3's file-system backend, for
// the in-place benchmark: unlike moto (which reads a whole object into memory for every range
// GET), it answers a range GET by seeking in the file, as S3 itself costs per byte returned.
//
//	s3server --dir DIR [--addr 127.0.0.1:0]
//
// Prints {"endpoint":"http://127.0.0.1:PORT"} once it listens.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/spf13/afero"
)

func main() {
	dir := flag.String("dir", "", "directory holding the buckets")
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback)")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: s3server --dir DIR [--addr 127.0.0.1:0]")
		os.Exit(2)
	}
	for _, d := range []string{"data", "meta"} {
		must(os.MkdirAll(filepath.Join(*dir, d), 0o755))
	}
	osfs := afero.NewOsFs()
	backend, err := s3afero.MultiBucket(
		afero.NewBasePathFs(osfs, filepath.Join(*dir, "data")),
		s3afero.MultiWithMetaFs(afero.NewBasePathFs(osfs, filepath.Join(*dir, "meta"))),
	)
	must(err)
	faker := gofakes3.New(backend, gofakes3.WithAutoBucket(true))
	ln, err := net.Listen("tcp", *addr)
	must(err)
	fmt.Printf("{\"endpoint\":\"http://%s\"}\n", ln.Addr().String())
	must(http.Serve(ln, faker.Server()))
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "s3server:", err)
		os.Exit(1)
	}
}
