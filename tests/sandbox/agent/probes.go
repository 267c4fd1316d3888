package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// probeResult of one probe attempt; msg says why it failed.
type probeResult struct {
	ok  bool
	msg string
}

// runProbe performs one attempt of a probe against a running container.
func runProbe(ctx context.Context, probe *corev1.Probe, podIP string, c *corev1.Container, inst *processInstance) probeResult {
	timeout := time.Duration(probe.TimeoutSeconds) * time.Second
	if timeout <= 0 {
		timeout = time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch {
	case probe.TCPSocket != nil:
		host := probe.TCPSocket.Host
		if host == "" {
			host = podIP
		}
		port, err := resolvePort(probe.TCPSocket.Port, c)
		if err != nil {
			return probeResult{false, err.Error()}
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return probeResult{false, err.Error()}
		}
		conn.Close()
		return probeResult{true, ""}
	case probe.HTTPGet != nil:
		return httpProbe(ctx, probe.HTTPGet, podIP, c)
	case probe.Exec != nil:
		return execProbe(ctx, probe.Exec.Command, inst)
	case probe.GRPC != nil:
		return probeResult{false, "gRPC probes are not supported on this node"}
	}
	return probeResult{false, "probe has no handler"}
}

func resolvePort(port intstr.IntOrString, c *corev1.Container) (int, error) {
	if port.Type == intstr.Int {
		return port.IntValue(), nil
	}
	for _, p := range c.Ports {
		if p.Name == port.StrVal {
			return int(p.ContainerPort), nil
		}
	}
	if n, err := strconv.Atoi(port.StrVal); err == nil {
		return n, nil
	}
	return 0, fmt.Errorf("container %s has no port named %q", c.Name, port.StrVal)
}

func httpProbe(ctx context.Context, get *corev1.HTTPGetAction, podIP string, c *corev1.Container) probeResult {
	host := get.Host
	if host == "" {
		host = podIP
	}
	port, err := resolvePort(get.Port, c)
	if err != nil {
		return probeResult{false, err.Error()}
	}
	scheme := "http"
	if get.Scheme == corev1.URISchemeHTTPS {
		scheme = "https"
	}
	path := get.Path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s://%s%s", scheme, net.JoinHostPort(host, strconv.Itoa(port)), path), nil)
	if err != nil {
		return probeResult{false, err.Error()}
	}
	req.Header.Set("User-Agent", "kube-probe/sandbox")
	for _, h := range get.HTTPHeaders {
		if strings.EqualFold(h.Name, "host") {
			req.Host = h.Value
		} else {
			req.Header.Add(h.Name, h.Value)
		}
	}
	client := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, // kubelet does not verify probe certificates
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		return probeResult{false, err.Error()}
	}
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 400 {
		return probeResult{true, ""}
	}
	return probeResult{false, fmt.Sprintf("HTTP probe failed with statuscode: %d", resp.StatusCode)}
}

// execProbe runs a command inside the container's namespaces and root, with its environment.
func execProbe(ctx context.Context, argv []string, inst *processInstance) probeResult {
	cmd := containerExecCommand(ctx, inst, argv)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return probeResult{false, "command timed out"}
	}
	if err != nil {
		return probeResult{false, fmt.Sprintf("command %q exited: %v: %s", strings.Join(argv, " "), err, strings.TrimSpace(string(out)))}
	}
	return probeResult{true, ""}
}

// containerExecCommand prepares argv to run inside a running container (exec probes, kubectl exec).
func containerExecCommand(ctx context.Context, inst *processInstance, argv []string) *exec.Cmd {
	args := []string{"--target", strconv.Itoa(inst.pid), "--mount", "--uts", "--root", "--wd", "--"} // the container process's own root and working dir
	args = append(args, argv...)
	cmd := exec.CommandContext(ctx, "nsenter", args...)
	cmd.Env = inst.env
	return cmd
}

// probeLoop runs a probe on its schedule until ctx ends, reporting each change of outcome once
// the success or failure threshold is met.
func probeLoop(ctx context.Context, probe *corev1.Probe, attempt func(context.Context) probeResult, onChange func(ok bool, msg string)) {
	period := time.Duration(probe.PeriodSeconds) * time.Second
	if period <= 0 {
		period = 10 * time.Second
	}
	probeLoopEvery(ctx, period, time.Duration(probe.InitialDelaySeconds)*time.Second, int(probe.SuccessThreshold), int(probe.FailureThreshold), attempt, onChange)
}

func probeLoopEvery(ctx context.Context, period, initialDelay time.Duration, success, failure int, attempt func(context.Context) probeResult, onChange func(ok bool, msg string)) {
	if success <= 0 {
		success = 1
	}
	if failure <= 0 {
		failure = 3
	}
	select {
	case <-ctx.Done():
		return
	case <-time.After(initialDelay):
	}
	var state *bool
	okRun, failRun := 0, 0
	for {
		r := attempt(ctx)
		if ctx.Err() != nil {
			return
		}
		if r.ok {
			okRun, failRun = okRun+1, 0
			if okRun >= success && (state == nil || !*state) {
				t := true
				state = &t
				onChange(true, "")
			}
		} else {
			failRun, okRun = failRun+1, 0
			if failRun >= failure && (state == nil || *state) {
				f := false
				state = &f
				onChange(false, r.msg)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(period):
		}
	}
}
