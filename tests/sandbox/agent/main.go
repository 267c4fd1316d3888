// Command agent plays the kubelet for one Node of the sandbox cluster: the real scheduler binds
// pods to it, and it runs each RocketMQ container as local processes of the jar version named by
// the image tag, each pod on its own loopback address.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

// Config is everything the agent is told on its command line.
type Config struct {
	Kubeconfig     string
	NodeName       string
	StateDir       string // pods, volumes, DNS files and the node's generated images live here
	ListenAddr     string // kubelet HTTP API (logs, exec, port-forward)
	TLSCert        string
	TLSKey         string
	ClientCA       string
	CacheRoot      string // ~/.cache/pulumi-rocketmq: RocketMQ jars live in rocketmq-<version>/lib
	FetchRocketMQ  string // optional script that obtains the jars of a version and prints their lib dir
	PodNetLibrary  string // the compiled podnet preload library
	JavaHome       string
	CPUCapacity    string
	MemoryCapacity string
	ProvisionerDir string
}

func main() {
	if len(os.Args) > 2 && os.Args[1] == containerInitCommand {
		runContainerInit(os.Args[2])
		return
	}
	home, _ := os.UserHomeDir()
	cacheRoot := filepath.Join(home, ".cache", "pulumi-rocketmq")
	var cfg Config
	flag.StringVar(&cfg.Kubeconfig, "kubeconfig", "", "kubeconfig of the agent's node identity")
	flag.StringVar(&cfg.NodeName, "node-name", "sandbox-node", "name of the registered Node")
	flag.StringVar(&cfg.StateDir, "state-dir", filepath.Join(cacheRoot, "sandbox", "node"), "where pods' files live")
	flag.StringVar(&cfg.ListenAddr, "listen", "127.0.0.1:10250", "kubelet API address")
	flag.StringVar(&cfg.TLSCert, "tls-cert", "", "kubelet serving certificate")
	flag.StringVar(&cfg.TLSKey, "tls-key", "", "kubelet serving key")
	flag.StringVar(&cfg.ClientCA, "client-ca", "", "CA that signs the API server's kubelet client certificate")
	flag.StringVar(&cfg.CacheRoot, "cache-root", cacheRoot, "cache root holding rocketmq-<version>/lib")
	flag.StringVar(&cfg.FetchRocketMQ, "fetch-rocketmq", "", "script that obtains RocketMQ jars: SCRIPT VERSION prints the lib dir")
	flag.StringVar(&cfg.PodNetLibrary, "podnet-library", "", "path of libpodnet.so")
	flag.StringVar(&cfg.JavaHome, "java-home", "", "JDK the images run (default: the java on PATH)")
	flag.StringVar(&cfg.CPUCapacity, "cpu", "16", "CPU capacity the Node reports")
	flag.StringVar(&cfg.MemoryCapacity, "memory", "32Gi", "memory capacity the Node reports")
	flag.StringVar(&cfg.ProvisionerDir, "volumes-dir", filepath.Join(cacheRoot, "sandbox", "volumes"), "where provisioned volumes live")
	flag.Parse()

	if cfg.JavaHome == "" {
		javaHome, err := findJavaHome()
		if err != nil {
			fatal(err)
		}
		cfg.JavaHome = javaHome
	}
	if cfg.PodNetLibrary == "" {
		exe, _ := os.Executable()
		cfg.PodNetLibrary = filepath.Join(filepath.Dir(exe), "libpodnet.so")
	}
	if _, err := os.Stat(cfg.PodNetLibrary); err != nil {
		fatal(fmt.Errorf("podnet library: %w", err))
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := runAgent(ctx, cfg); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "agent:", err)
	os.Exit(1)
}
