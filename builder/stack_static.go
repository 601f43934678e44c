package builder

import "fmt"

// staticFinish serves the site with busybox httpd on $PORT: the root of the
// repository when it has index.html, else public/.
//
// The shell form expands $PORT when the container starts. The shell stays
// PID 1, which ignores SIGTERM unless it handles it, so it traps the signal
// and passes it on to httpd.
func staticFinish(t tree, w *dockerfileWriter) error {
	root := "/app"
	switch {
	case t.kind("index.html") == kindFile:
	case t.kind("public/index.html") == kindFile:
		root = "/app/public"
	default:
		w.note("static: no index.html or public/index.html; serving the root of the repository")
	}
	w.line(fmt.Sprintf(`CMD trap 'kill $pid; wait $pid; exit 0' TERM INT; httpd -f -v -p "$PORT" -h %s & pid=$!; wait $pid`, root))
	return nil
}
