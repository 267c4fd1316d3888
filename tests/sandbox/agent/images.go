package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Images this node can run. A container image is not pulled: its tag picks the version of jars
// obtained from Maven Central, and the image's file layout is rebuilt from them.
const (
	rocketmqRepository  = "apache/rocketmq"
	dashboardRepository = "apacherocketmq/rocketmq-dashboard"
	// Where every container finds the pod's hosts file and the pod-network preload library.
	containerDNSDir    = "/run/cluster-dns"
	containerPodNetDir = "/run/podnet"
)

// runnableImage is what a container needs from its image: files, environment, working dir.
type runnableImage struct {
	Ref        string
	Repository string
	Version    string
	WorkingDir string
	Env        []string // the image's ENV lines, NAME=value
	Entrypoint []string
	Mounts     []mountSpec // image content, read-only
}

// unrunnableImageError says why an image cannot run here; the pod stays Pending with it.
type unrunnableImageError struct{ reason string }

func (e *unrunnableImageError) Error() string { return e.reason }

// parseImageRef splits "docker.io/apache/rocketmq:5.3.2" into repository and tag.
func parseImageRef(ref string) (repository, tag string) {
	name := ref
	if i := strings.Index(name, "@"); i >= 0 {
		name = name[:i]
	}
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, tag = name[:i], ref[i+1:]
		if j := strings.Index(tag, "@"); j >= 0 {
			tag = tag[:j]
		}
	}
	for _, prefix := range []string{"docker.io/", "index.docker.io/", "registry-1.docker.io/"} {
		name = strings.TrimPrefix(name, prefix)
	}
	name = strings.TrimPrefix(name, "library/")
	return name, tag
}

type imageStore struct {
	cfg      Config
	mu       sync.Mutex
	fetching map[string]bool
	fetchErr map[string]error
}

func newImageStore(cfg Config) *imageStore {
	return &imageStore{cfg: cfg, fetching: map[string]bool{}, fetchErr: map[string]error{}}
}

// Resolve returns how to run ref, or an unrunnableImageError saying why it cannot run.
func (s *imageStore) Resolve(ref string) (*runnableImage, error) {
	repository, tag := parseImageRef(ref)
	switch repository {
	case rocketmqRepository:
		if !isVersionTag(tag) {
			return nil, &unrunnableImageError{fmt.Sprintf("image %q: the tag must name a RocketMQ version (e.g. %s:5.3.2)", ref, rocketmqRepository)}
		}
		lib, err := s.rocketmqLib(tag)
		if err != nil {
			return nil, err
		}
		return s.rocketmqImage(ref, tag, lib)
	case dashboardRepository:
		return s.dashboardImage(ref, tag)
	default:
		return nil, &unrunnableImageError{fmt.Sprintf("image %q cannot run on this node: it runs only %s:<version> and %s:<version> images", ref, rocketmqRepository, dashboardRepository)}
	}
}

func isVersionTag(tag string) bool {
	if tag == "" {
		return false
	}
	for _, r := range tag {
		if !(r >= '0' && r <= '9' || r == '.') {
			return false
		}
	}
	return true
}

// rocketmqLib finds the jars of a version, obtaining them with the fetch script when absent.
func (s *imageStore) rocketmqLib(version string) (string, error) {
	home := filepath.Join(s.cfg.CacheRoot, "rocketmq-"+version)
	lib := filepath.Join(home, "lib")
	if libComplete(home, version) {
		return lib, nil
	}
	if s.cfg.FetchRocketMQ == "" {
		return "", &unrunnableImageError{fmt.Sprintf("RocketMQ %s jars are not in %s and no fetch script is configured", version, lib)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err, failed := s.fetchErr[version]; failed {
		return "", &unrunnableImageError{fmt.Sprintf("RocketMQ %s jars could not be obtained: %v", version, err)}
	}
	if !s.fetching[version] {
		s.fetching[version] = true
		go s.fetch(version)
	}
	return "", fmt.Errorf("obtaining RocketMQ %s jars", version)
}

// libComplete: tests/toolchain/rocketmq.sh writes .complete last, once every jar is in place, and
// .with-proxy once a 5.x lib holds the proxy's jars too (a lib obtained before lacks them).
func libComplete(home, version string) bool {
	stamps := []string{".complete"}
	if !strings.HasPrefix(version, "4.") {
		stamps = append(stamps, ".with-proxy")
	}
	for _, stamp := range stamps {
		if _, err := os.Stat(filepath.Join(home, stamp)); err != nil {
			return false
		}
	}
	return true
}

func (s *imageStore) fetch(version string) {
	cmd := exec.Command("nice", "-n", "10", "bash", s.cfg.FetchRocketMQ, version)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.fetching, version)
	if err != nil {
		text := strings.TrimSpace(out.String())
		if len(text) > 400 {
			text = text[len(text)-400:]
		}
		s.fetchErr[version] = fmt.Errorf("%v: %s", err, text)
	}
}

// rocketmqImage rebuilds the layout of apache/rocketmq:<version>: ROCKETMQ_HOME holds bin/
// (mqnamesrv, mqbroker, mqproxy, mqcontroller, mqadmin) and lib/ (the jars), the working dir is bin/.
func (s *imageStore) rocketmqImage(ref, version, lib string) (*runnableImage, error) {
	home := "/home/rocketmq/rocketmq-" + version
	binDir := filepath.Join(s.cfg.StateDir, "images", "rocketmq-"+version, "bin")
	if err := writeRocketMQScripts(binDir); err != nil {
		return nil, err
	}
	return &runnableImage{
		Ref:        ref,
		Repository: rocketmqRepository,
		Version:    version,
		WorkingDir: home + "/bin",
		Env: []string{
			"PATH=" + s.cfg.JavaHome + "/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"JAVA_HOME=" + s.cfg.JavaHome,
			"ROCKETMQ_VERSION=" + version,
			"ROCKETMQ_HOME=" + home,
			"HOME=/home/rocketmq",
		},
		Mounts: []mountSpec{
			{Kind: mountBind, Source: binDir, Target: home + "/bin", ReadOnly: true},
			{Kind: mountBind, Source: lib, Target: home + "/lib", ReadOnly: true},
		},
	}, nil
}

// dashboardImage runs the console jar when the toolchain obtained it.
func (s *imageStore) dashboardImage(ref, version string) (*runnableImage, error) {
	dir := filepath.Join(s.cfg.CacheRoot, "rocketmq-dashboard-"+version)
	jars, _ := filepath.Glob(filepath.Join(dir, "*.jar"))
	if len(jars) == 0 {
		jars, _ = filepath.Glob(filepath.Join(dir, "lib", "rocketmq-dashboard*.jar"))
	}
	if len(jars) == 0 {
		return nil, &unrunnableImageError{fmt.Sprintf("image %q cannot run on this node: the rocketmq-dashboard %s jar was not obtained (looked in %s)", ref, version, dir)}
	}
	return &runnableImage{
		Ref:        ref,
		Repository: dashboardRepository,
		Version:    version,
		WorkingDir: "/",
		Env: []string{
			"PATH=" + s.cfg.JavaHome + "/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"JAVA_HOME=" + s.cfg.JavaHome,
			"HOME=/root",
		},
		Entrypoint: []string{"sh", "-c", "exec java " + strings.Join(podNetJavaOptions(), " ") + " $JAVA_OPTS -jar /rocketmq-dashboard.jar"},
		Mounts:     []mountSpec{{Kind: mountBind, Source: jars[0], Target: "/rocketmq-dashboard.jar", ReadOnly: true, File: true}},
	}, nil
}

// podNetJavaOptions make a JVM resolve cluster names through the pod's hosts file and use IPv4
// sockets, whose interface list the podnet library filters.
func podNetJavaOptions() []string {
	return []string{
		"-Djava.net.preferIPv4Stack=true",
		"-Djdk.net.hosts.file=" + containerDNSDir + "/hosts",
		"-Dsun.net.inetaddr.ttl=10",
		"-Dsun.net.inetaddr.negative.ttl=1",
	}
}

// writeRocketMQScripts writes the image's launch scripts: each execs the JDK on the jars of
// ROCKETMQ_HOME with the main class of the upstream script of the same name. JAVA_OPT_EXT comes
// last so the pod's heap flags win over the small defaults. Unlike the upstream scripts, every JVM
// here uses the serial collector: all pods of a test run share the test machine's cores, where
// G1's threads cost more CPU than the brokers' own work. Name servers and mqadmin run the client
// compiler only (short work, where the optimizing compiler's threads cost more than they save), and
// so do proxies (a test's few thousand messages end before the optimizing compiler would pay off).
// Brokers keep tiered compilation: a 5.x broker's timer wheel compares its whole 38 MB wheel
// file with memory byte by byte every second (TimerWheel.flush), about 13% of a core when the
// client compiler compiled that loop and under 2% once the optimizing one has; a broker pays
// the optimizing compiler back within a minute.
func writeRocketMQScripts(binDir string) error {
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return err
	}
	common := `#!/bin/sh
# Shared by mqnamesrv, mqbroker, mqproxy, mqcontroller and mqadmin of this image.
run_java() {
  main_class=$1; default_heap=$2; compilation=$3; shift 3
  [ -n "$ROCKETMQ_HOME" ] || { echo "ROCKETMQ_HOME is not set" >&2; exit 1; }
  exec "$JAVA_HOME/bin/java" -server $default_heap -XX:+UseSerialGC $compilation -XX:-OmitStackTraceInFastThrow \
    -XX:MaxDirectMemorySize=256m -Duser.home="$HOME" -Drocketmq.home.dir="$ROCKETMQ_HOME" \
    ` + strings.Join(podNetJavaOptions(), " ") + ` \
    $JAVA_OPT $JAVA_OPT_EXT -cp "$ROCKETMQ_HOME/conf:$ROCKETMQ_HOME/lib/*" "$main_class" "$@"
}
`
	scripts := map[string]string{
		"runjava.sh": common,
		"mqnamesrv": `#!/bin/sh
. "$ROCKETMQ_HOME/bin/runjava.sh"
run_java org.apache.rocketmq.namesrv.NamesrvStartup "-Xmx128m" "-XX:TieredStopAtLevel=1" "$@"
`,
		"mqbroker": `#!/bin/sh
. "$ROCKETMQ_HOME/bin/runjava.sh"
run_java org.apache.rocketmq.broker.BrokerStartup "-Xmx256m" "" "$@"
`,
		// The image's mqproxy: -pc <config file> -pm cluster|local, as upstream's.
		"mqproxy": `#!/bin/sh
. "$ROCKETMQ_HOME/bin/runjava.sh"
run_java org.apache.rocketmq.proxy.ProxyStartup "-Xmx256m" "-XX:TieredStopAtLevel=1" "$@"
`,
		// The image's mqcontroller: -c <config file>, as upstream's (a standalone RIP-44 controller).
		"mqcontroller": `#!/bin/sh
. "$ROCKETMQ_HOME/bin/runjava.sh"
run_java org.apache.rocketmq.controller.ControllerStartup "-Xmx128m" "-XX:TieredStopAtLevel=1" "$@"
`,
		"mqadmin": `#!/bin/sh
. "$ROCKETMQ_HOME/bin/runjava.sh"
run_java org.apache.rocketmq.tools.command.MQAdminStartup "-Xmx128m" "-XX:TieredStopAtLevel=1" "$@"
`,
	}
	for name, text := range scripts {
		if err := writeFileIfChanged(filepath.Join(binDir, name), []byte(text), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// writeFileIfChanged rewrites a file in place only when its content differs, keeping the inode
// so bind mounts of the file see the change.
func writeFileIfChanged(path string, data []byte, mode os.FileMode) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return os.Chmod(path, mode)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(path, mode)
}

// findJavaHome resolves the JDK behind the java on PATH.
func findJavaHome() (string, error) {
	if home := os.Getenv("JAVA_HOME"); home != "" {
		if _, err := os.Stat(filepath.Join(home, "bin", "java")); err == nil {
			return home, nil
		}
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return "", fmt.Errorf("java 17 not found on PATH: %w", err)
	}
	real, err := filepath.EvalSymlinks(java)
	if err != nil {
		return "", err
	}
	return filepath.Dir(filepath.Dir(real)), nil
}
