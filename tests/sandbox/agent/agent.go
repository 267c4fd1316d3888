package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/node"
	"github.com/virtual-kubelet/virtual-kubelet/node/nodeutil"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/record"
)

// runAgent registers the node and serves its pods until ctx ends, then stops every pod.
func runAgent(ctx context.Context, cfg Config) error {
	restCfg, err := clientcmd.BuildConfigFromFlags("", cfg.Kubeconfig)
	if err != nil {
		return err
	}
	// Pod status updates of a whole test cluster arrive in bursts: the default 5 requests per
	// second would delay readiness by seconds.
	restCfg.QPS, restCfg.Burst = 50, 100
	client, err := kubernetes.NewForConfig(restCfg)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if err := killLeftoverContainers(cfg.StateDir); err != nil {
		return err
	}
	podNetDir := filepath.Join(cfg.StateDir, "podnet")
	if err := installPodNetLibrary(cfg.PodNetLibrary, podNetDir); err != nil {
		return err
	}
	for _, d := range []string{cfg.ProvisionerDir, filepath.Join(cfg.StateDir, "pods")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}

	broadcaster := record.NewBroadcaster()
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: client.CoreV1().Events("")})
	defer broadcaster.Shutdown()
	recorder := broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: cfg.NodeName})

	factory := informers.NewSharedInformerFactory(client, time.Minute)
	allPods := factory.Core().V1().Pods()
	services := factory.Core().V1().Services()
	claims := factory.Core().V1().PersistentVolumeClaims()
	volumes := factory.Core().V1().PersistentVolumes()

	a := &Agent{
		cfg:       cfg,
		self:      self,
		client:    client,
		recorder:  recorder,
		images:    newImageStore(cfg),
		ips:       newLoopbackIPAM(10, 250),
		podNetDir: podNetDir,
		cpu:       resource.MustParse(cfg.CPUCapacity),
		memory:    resource.MustParse(cfg.MemoryCapacity),
		ephemeral: resource.MustParse("100Gi"),
		pods:      map[string]*podRunner{},
	}
	a.dns = newClusterDNS(a, allPods.Lister(), services.Lister())
	changed := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(interface{}) { a.dns.Changed() },
		UpdateFunc: func(interface{}, interface{}) { a.dns.Changed() },
		DeleteFunc: func(interface{}) { a.dns.Changed() },
	}
	allPods.Informer().AddEventHandler(changed)
	services.Informer().AddEventHandler(changed)
	claims.Informer()
	volumes.Informer()

	version := "v0.0.0"
	if v, err := client.Discovery().ServerVersion(); err == nil {
		version = v.GitVersion
	}
	_, portText, err := net.SplitHostPort(cfg.ListenAddr)
	if err != nil {
		return err
	}
	port, _ := strconv.Atoi(portText)

	mux := http.NewServeMux()
	n, err := nodeutil.NewNode(cfg.NodeName,
		func(pc nodeutil.ProviderConfig) (nodeutil.Provider, node.NodeProvider, error) {
			a.objects = objectSource{configMaps: pc.ConfigMaps, secrets: pc.Secrets}
			a.volumes = volumeResolver{client: client, objects: a.objects}
			describeNode(pc.Node, cfg, version, port)
			return a, nil, nil
		},
		nodeutil.WithClient(client),
		func(nc *nodeutil.NodeConfig) error {
			nc.HTTPListenAddr = cfg.ListenAddr
			nc.SkipDownwardAPIResolution = true // status.podIP is only known once the pod runs
			nc.EventRecorder = recorder
			nc.Handler = onlyAPIServer(mux)
			nc.NumWorkers = 4
			return nil
		},
		nodeutil.AttachProviderRoutes(mux),
		nodeutil.WithTLSConfig(nodeutil.WithKeyPairFromPath(cfg.TLSCert, cfg.TLSKey), nodeutil.WithCAFromPath(cfg.ClientCA)),
	)
	if err != nil {
		return err
	}

	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	go a.dns.run(ctx)
	prov := &hostPathProvisioner{client: client, claims: claims.Lister(), pvs: volumes.Lister(), dir: cfg.ProvisionerDir}
	go prov.run(ctx)

	fmt.Fprintf(os.Stderr, "agent: node %s serving the kubelet API on %s\n", cfg.NodeName, cfg.ListenAddr)
	runErr := n.Run(ctx)
	stopAllPods(a)
	if ctx.Err() != nil {
		return nil
	}
	return runErr
}

// describeNode fills in what the node reports: address, kubelet port, capacity, system info.
func describeNode(n *corev1.Node, cfg Config, version string, port int) {
	n.Labels["kubernetes.io/os"] = "linux"
	n.Labels["kubernetes.io/arch"] = "amd64"
	n.Labels["node.kubernetes.io/instance-type"] = "sandbox"
	delete(n.Labels, "type")
	n.Labels["kubernetes.io/role"] = "sandbox"
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse(cfg.CPUCapacity),
		corev1.ResourceMemory:           resource.MustParse(cfg.MemoryCapacity),
		corev1.ResourcePods:             resource.MustParse("110"),
		corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
	}
	n.Status.Capacity = capacity
	n.Status.Allocatable = capacity.DeepCopy()
	n.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: nodeIP}, {Type: corev1.NodeHostName, Address: cfg.NodeName}}
	n.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(port)
	n.Status.NodeInfo = corev1.NodeSystemInfo{
		KubeletVersion:          version,
		OperatingSystem:         "linux",
		Architecture:            "amd64",
		ContainerRuntimeVersion: "sandbox://local-processes",
		OSImage:                 "pulumi-rocketmq sandbox node",
	}
	conds := []corev1.NodeCondition{}
	for _, c := range n.Status.Conditions {
		switch c.Type {
		case corev1.NodeReady:
			c.Status, c.Reason = corev1.ConditionFalse, "KubeletNotReady"
		case corev1.NodeNetworkUnavailable:
			c.Status, c.Reason = corev1.ConditionFalse, "RouteCreated"
		default:
			c.Status, c.Reason = corev1.ConditionFalse, "KubeletHasSufficient"+strings.TrimSuffix(string(c.Type), "Pressure")
		}
		conds = append(conds, c)
	}
	n.Status.Conditions = conds
}

// onlyAPIServer admits the API server's kubelet client (its certificate is verified against
// the cluster CA by TLS) and cluster admins.
func onlyAPIServer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
			cert := r.TLS.VerifiedChains[0][0]
			allowed := cert.Subject.CommonName == "kube-apiserver-kubelet-client"
			for _, o := range cert.Subject.Organization {
				allowed = allowed || o == "system:masters"
			}
			if allowed {
				h.ServeHTTP(w, r)
				return
			}
		}
		http.Error(w, "forbidden", http.StatusForbidden)
	})
}

func installPodNetLibrary(src, dir string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeFileIfChanged(filepath.Join(dir, "libpodnet.so"), data, 0o755)
}

// killLeftoverContainers ends processes of a previous agent run that died without stopping
// them, identified by their pid file and their root being that container's rootfs.
func killLeftoverContainers(stateDir string) error {
	pidFiles, _ := filepath.Glob(filepath.Join(stateDir, "pods", "*", "containers", "*", "pid"))
	for _, f := range pidFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || pid <= 1 {
			continue
		}
		root, err := os.Readlink(fmt.Sprintf("/proc/%d/root", pid))
		if err == nil && root == filepath.Join(filepath.Dir(f), "rootfs") {
			syscall.Kill(-pid, syscall.SIGKILL)
		}
	}
	if len(pidFiles) > 0 {
		time.Sleep(500 * time.Millisecond)
	}
	dirs, _ := filepath.Glob(filepath.Join(stateDir, "pods", "*"))
	for _, d := range dirs {
		if err := removeUnmounted(d); err != nil {
			return err
		}
	}
	return nil
}

// stopAllPods stops every pod when the agent shuts down, so no process outlives the sandbox.
func stopAllPods(a *Agent) {
	runners := a.runners()
	done := make(chan struct{}, len(runners))
	for _, p := range runners {
		p := p
		go func() { p.stop(10 * time.Second); done <- struct{}{} }()
	}
	for range runners {
		<-done
	}
}
