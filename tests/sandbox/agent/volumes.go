package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// volumeResolver turns a pod's volumes into host paths. Files of ConfigMap, Secret, downward
// API and projected volumes are written under the pod's directory and refreshed on every sync,
// so running containers see updates as on a real node. EmptyDirs live as long as the pod;
// HostPath and PVC-backed volumes are host directories that outlive it.
type volumeResolver struct {
	client  kubernetes.Interface
	objects objectSource
}

// preparePodVolumes returns volume name -> host path, writing file-backed volumes.
func (r volumeResolver) preparePodVolumes(ctx context.Context, pod *corev1.Pod, podDir string, facts podFacts) (map[string]string, error) {
	paths := map[string]string{}
	for _, v := range pod.Spec.Volumes {
		dir := filepath.Join(podDir, "volumes", v.Name)
		var err error
		switch {
		case v.EmptyDir != nil:
			err = os.MkdirAll(dir, 0o777)
		case v.HostPath != nil:
			dir = v.HostPath.Path
			err = prepareHostPath(v.HostPath)
		case v.PersistentVolumeClaim != nil:
			dir, err = r.claimPath(ctx, pod.Namespace, v.PersistentVolumeClaim.ClaimName)
		case v.ConfigMap != nil, v.Secret != nil, v.DownwardAPI != nil, v.Projected != nil:
			var files map[string]fileContent
			files, err = r.volumeFiles(ctx, pod, v, facts)
			if err == nil {
				err = writeVolumeFiles(dir, files)
			}
		default:
			err = fmt.Errorf("volume %q: this node supports emptyDir, hostPath, persistentVolumeClaim, configMap, secret, downwardAPI and projected volumes", v.Name)
		}
		if err != nil {
			return nil, err
		}
		paths[v.Name] = dir
	}
	return paths, nil
}

func prepareHostPath(hp *corev1.HostPathVolumeSource) error {
	t := corev1.HostPathUnset
	if hp.Type != nil {
		t = *hp.Type
	}
	switch t {
	case corev1.HostPathDirectoryOrCreate:
		return os.MkdirAll(hp.Path, 0o755)
	case corev1.HostPathFileOrCreate:
		if err := os.MkdirAll(filepath.Dir(hp.Path), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(hp.Path, os.O_CREATE|os.O_RDONLY, 0o644)
		if err == nil {
			f.Close()
		}
		return err
	case corev1.HostPathUnset:
		return nil
	default:
		_, err := os.Stat(hp.Path)
		return err
	}
}

// claimPath finds the directory behind a bound claim.
func (r volumeResolver) claimPath(ctx context.Context, ns, name string) (string, error) {
	pvc, err := r.client.CoreV1().PersistentVolumeClaims(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("persistentvolumeclaim %q: %w", name, err)
	}
	if pvc.Status.Phase != corev1.ClaimBound || pvc.Spec.VolumeName == "" {
		return "", fmt.Errorf("persistentvolumeclaim %q is not bound yet", name)
	}
	pv, err := r.client.CoreV1().PersistentVolumes().Get(ctx, pvc.Spec.VolumeName, metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("persistentvolume %q: %w", pvc.Spec.VolumeName, err)
	}
	switch {
	case pv.Spec.HostPath != nil:
		return pv.Spec.HostPath.Path, os.MkdirAll(pv.Spec.HostPath.Path, 0o777)
	case pv.Spec.Local != nil:
		return pv.Spec.Local.Path, nil
	}
	return "", fmt.Errorf("persistentvolume %q is neither hostPath nor local", pv.Name)
}

type fileContent struct {
	data []byte
	mode os.FileMode
}

// volumeFiles computes the files of a ConfigMap, Secret, downward API or projected volume.
func (r volumeResolver) volumeFiles(ctx context.Context, pod *corev1.Pod, v corev1.Volume, facts podFacts) (map[string]fileContent, error) {
	files := map[string]fileContent{}
	switch {
	case v.ConfigMap != nil:
		return files, r.configMapFiles(pod.Namespace, v.ConfigMap.Name, v.ConfigMap.Items, v.ConfigMap.Optional, modeOr(v.ConfigMap.DefaultMode, 0o644), files)
	case v.Secret != nil:
		return files, r.secretFiles(pod.Namespace, v.Secret.SecretName, v.Secret.Items, v.Secret.Optional, modeOr(v.Secret.DefaultMode, 0o644), files)
	case v.DownwardAPI != nil:
		return files, downwardFiles(pod, v.DownwardAPI.Items, modeOr(v.DownwardAPI.DefaultMode, 0o644), facts, files)
	}
	mode := modeOr(v.Projected.DefaultMode, 0o644)
	for _, src := range v.Projected.Sources {
		var err error
		switch {
		case src.ConfigMap != nil:
			err = r.configMapFiles(pod.Namespace, src.ConfigMap.Name, src.ConfigMap.Items, src.ConfigMap.Optional, mode, files)
		case src.Secret != nil:
			err = r.secretFiles(pod.Namespace, src.Secret.Name, src.Secret.Items, src.Secret.Optional, mode, files)
		case src.DownwardAPI != nil:
			err = downwardFiles(pod, src.DownwardAPI.Items, mode, facts, files)
		case src.ServiceAccountToken != nil:
			err = r.tokenFile(ctx, pod, src.ServiceAccountToken, mode, files)
		default:
			err = fmt.Errorf("volume %q: unsupported projected source", v.Name)
		}
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

func modeOr(m *int32, def os.FileMode) os.FileMode {
	if m == nil {
		return def
	}
	return os.FileMode(*m)
}

func itemFiles(data map[string][]byte, items []corev1.KeyToPath, mode os.FileMode, what string, out map[string]fileContent) error {
	if len(items) == 0 {
		for k, v := range data {
			out[k] = fileContent{v, mode}
		}
		return nil
	}
	for _, it := range items {
		v, ok := data[it.Key]
		if !ok {
			return fmt.Errorf("%s has no key %q", what, it.Key)
		}
		out[it.Path] = fileContent{v, modeOr(it.Mode, mode)}
	}
	return nil
}

func (r volumeResolver) configMapFiles(ns, name string, items []corev1.KeyToPath, optional *bool, mode os.FileMode, out map[string]fileContent) error {
	cm, err := r.objects.configMap(ns, name)
	if err != nil {
		if isOptional(optional) {
			return nil
		}
		return fmt.Errorf("configmap %q: %w", name, err)
	}
	data := map[string][]byte{}
	for k, v := range cm.Data {
		data[k] = []byte(v)
	}
	for k, v := range cm.BinaryData {
		data[k] = v
	}
	return itemFiles(data, items, mode, "configmap "+name, out)
}

func (r volumeResolver) secretFiles(ns, name string, items []corev1.KeyToPath, optional *bool, mode os.FileMode, out map[string]fileContent) error {
	s, err := r.objects.secret(ns, name)
	if err != nil {
		if isOptional(optional) {
			return nil
		}
		return fmt.Errorf("secret %q: %w", name, err)
	}
	return itemFiles(s.Data, items, mode, "secret "+name, out)
}

func downwardFiles(pod *corev1.Pod, items []corev1.DownwardAPIVolumeFile, mode os.FileMode, facts podFacts, out map[string]fileContent) error {
	for _, it := range items {
		var v string
		var err error
		switch {
		case it.FieldRef != nil:
			v, err = podField(pod, it.FieldRef.FieldPath, facts)
		case it.ResourceFieldRef != nil:
			c := containerNamed(pod, it.ResourceFieldRef.ContainerName)
			if c == nil {
				return fmt.Errorf("downward API: no container %q", it.ResourceFieldRef.ContainerName)
			}
			v, err = resourceField(c, it.ResourceFieldRef, facts)
		}
		if err != nil {
			return err
		}
		out[it.Path] = fileContent{[]byte(v), modeOr(it.Mode, mode)}
	}
	return nil
}

func (r volumeResolver) tokenFile(ctx context.Context, pod *corev1.Pod, src *corev1.ServiceAccountTokenProjection, mode os.FileMode, out map[string]fileContent) error {
	sa := pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
		ExpirationSeconds: src.ExpirationSeconds,
		BoundObjectRef:    &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: pod.Name, UID: pod.UID},
	}}
	if src.Audience != "" {
		req.Spec.Audiences = []string{src.Audience}
	}
	tok, err := r.client.CoreV1().ServiceAccounts(pod.Namespace).CreateToken(ctx, sa, req, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("service account token: %w", err)
	}
	out[src.Path] = fileContent{[]byte(tok.Status.Token), mode}
	return nil
}

func containerNamed(pod *corev1.Pod, name string) *corev1.Container {
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Name == name || name == "" {
			return &pod.Spec.Containers[i]
		}
	}
	return nil
}

// writeVolumeFiles makes dir hold exactly files. Files are rewritten in place so bind mounts of
// single files (subPath) keep seeing them.
func writeVolumeFiles(dir string, files map[string]fileContent) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, f := range files {
		if strings.Contains(name, "..") || filepath.IsAbs(name) {
			return fmt.Errorf("invalid volume file path %q", name)
		}
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := writeFileIfChanged(path, f.data, f.mode); err != nil {
			return err
		}
	}
	return filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if _, keep := files[rel]; !keep {
			return os.Remove(path)
		}
		return nil
	})
}

// volumeMounts turns a container's volumeMounts into mounts, parents before children.
func volumeMounts(c *corev1.Container, volumePaths map[string]string) ([]mountSpec, error) {
	var mounts []mountSpec
	for _, vm := range c.VolumeMounts {
		src, ok := volumePaths[vm.Name]
		if !ok {
			return nil, fmt.Errorf("container %s mounts unknown volume %q", c.Name, vm.Name)
		}
		file := false
		if vm.SubPath != "" {
			if strings.Contains(vm.SubPath, "..") || filepath.IsAbs(vm.SubPath) {
				return nil, fmt.Errorf("invalid subPath %q", vm.SubPath)
			}
			src = filepath.Join(src, vm.SubPath)
			info, err := os.Stat(src)
			if os.IsNotExist(err) {
				err = os.MkdirAll(src, 0o777)
				info, _ = os.Stat(src)
			}
			if err != nil {
				return nil, err
			}
			file = !info.IsDir()
		}
		mounts = append(mounts, mountSpec{Kind: mountBind, Source: src, Target: vm.MountPath, ReadOnly: vm.ReadOnly, File: file})
	}
	sort.SliceStable(mounts, func(i, j int) bool {
		return strings.Count(filepath.Clean(mounts[i].Target), "/") < strings.Count(filepath.Clean(mounts[j].Target), "/")
	})
	return mounts, nil
}
