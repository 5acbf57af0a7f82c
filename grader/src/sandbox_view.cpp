#include "sandbox_view.hpp"

#include <filesystem>

#include "util.hpp"

namespace grader {

namespace {

namespace fs = std::filesystem;

// Inside the sandbox, after the job's process ends: report whether the flag
// file exists (one byte) and send the collected file (capped) over kCollectFd.
// The job itself runs without that descriptor.
constexpr const char* kCollector =
    "c=$1; f=$2; shift 2\n"
    "\"$@\" 3>&-\n"
    "s=$?\n"
    "if [ -e \"$f\" ]; then printf 1 >&3; else printf 0 >&3; fi\n"
    "if [ -f \"$c\" ] && [ ! -L \"$c\" ]; then head -c 1048577 -- \"$c\" >&3; fi\n"
    "exit $s\n";

// The system files a compiler or a test needs, and nothing else of /etc: the
// dynamic loader's cache and the alternatives behind /usr/bin/c++.
const char* const kEtcFiles[] = {"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
                                 "/etc/localtime"};
const char* const kTopLinks[] = {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};
const char* const kDevices[] = {"null", "zero", "full", "random", "urandom"};

std::vector<std::string> wrapped_command(const SandboxJob& job) {
  if (job.collect.empty()) {
    return job.argv;
  }
  std::vector<std::string> argv = {"/bin/sh", "-c", kCollector, "sh", job.out_inside + "/" + job.collect,
                                   job.out_inside + "/" + job.flag};
  argv.insert(argv.end(), job.argv.begin(), job.argv.end());
  return argv;
}

LaunchPlan bwrap_plan(const SandboxJob& job) {
  LaunchPlan plan;
  plan.env = {"PATH=/usr/bin:/bin"};
  auto& a = plan.argv;
  a = {"/usr/bin/bwrap", "--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
       "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr"};
  std::error_code ec;
  for (const char* top : kTopLinks) {
    auto status = fs::symlink_status(top, ec);
    if (status.type() == fs::file_type::symlink) {
      a.insert(a.end(), {"--symlink", fs::read_symlink(top, ec).string(), top});
    } else if (status.type() == fs::file_type::directory) {
      a.insert(a.end(), {"--ro-bind", top, top});
    }
  }
  for (const char* file : kEtcFiles) {
    if (fs::exists(file, ec)) {
      a.insert(a.end(), {"--ro-bind", file, file});
    }
  }
  if (job.mount_proc) {
    a.insert(a.end(), {"--proc", "/proc"});
  }
  std::string tmpfs = std::to_string(job.limits.tmpfs_bytes);
  a.insert(a.end(), {"--dev", "/dev", "--size", tmpfs, "--tmpfs", "/tmp", "--size", tmpfs, "--tmpfs", "/dev/shm",
                     "--mqueue", "/dev/mqueue"});
  for (const auto& bind : job.binds) {
    a.insert(a.end(), {bind.writable ? "--bind" : "--ro-bind", bind.host, bind.inside});
  }
  if (!job.out_inside.empty()) {
    a.insert(a.end(), {"--size", std::to_string(job.out_bytes), "--tmpfs", job.out_inside});
  }
  if (job.executable) {
    a.insert(a.end(), {"--perms", "0555", "--file", std::to_string(kExecutableFd), job.argv.at(0)});
  }
  a.insert(a.end(), {"--chdir", job.cwd, "--clearenv"});
  for (const auto& variable : job.env) {
    auto eq = variable.find('=');
    a.insert(a.end(), {"--setenv", variable.substr(0, eq), variable.substr(eq + 1)});
  }
  a.push_back("--");
  auto command = wrapped_command(job);
  a.insert(a.end(), command.begin(), command.end());
  return plan;
}

std::string quote(const std::string& word) { return "'" + replace_all(word, "'", "'\\''") + "'"; }

// unshare(1) has no option for bind mounts: a script, run as root in the new
// mount namespace, builds the view bwrap builds (a tmpfs root with /usr, a few
// files of /etc and /dev, the job's binds), chroots into it and drops to the uid.
LaunchPlan unshare_plan(const SandboxJob& job, uid_t uid, const std::string& root_dir) {
  std::string r = quote(root_dir);
  std::string s = "set -e\nR=" + r + "\nmount -t tmpfs -o size=64m,mode=755 tmpfs \"$R\"\n";
  auto bind = [&](const std::string& host, const std::string& inside, bool writable, bool is_dir) {
    std::string target = "\"$R\"" + quote(inside);
    s += is_dir ? "mkdir -p " + target + "\n" : "mkdir -p \"$(dirname " + target + ")\"; : > " + target + "\n";
    s += "mount --bind " + quote(host) + " " + target + "\n";
    if (!writable) {
      s += "mount -o remount,bind,ro " + target + "\n";
    }
  };
  std::error_code ec;
  bind("/usr", "/usr", false, true);
  for (const char* top : kTopLinks) {
    auto status = fs::symlink_status(top, ec);
    if (status.type() == fs::file_type::symlink) {
      s += "ln -s " + quote(fs::read_symlink(top, ec).string()) + " \"$R\"" + top + "\n";
    } else if (status.type() == fs::file_type::directory) {
      bind(top, top, false, true);
    }
  }
  for (const char* file : kEtcFiles) {
    if (fs::exists(file, ec)) {
      bind(file, file, false, fs::is_directory(file, ec));
    }
  }
  for (const char* device : kDevices) {
    bind(std::string("/dev/") + device, std::string("/dev/") + device, true, false);
  }
  std::string tmpfs = std::to_string(job.limits.tmpfs_bytes);
  s += "mkdir -p \"$R/tmp\" \"$R/dev/shm\" \"$R/dev/mqueue\" \"$R/proc\"\n"
       "mount -t tmpfs -o size=" + tmpfs + ",mode=1777 tmpfs \"$R/tmp\"\n"
       "mount -t tmpfs -o size=" + tmpfs + ",mode=1777 tmpfs \"$R/dev/shm\"\n"
       "mount -t mqueue mqueue \"$R/dev/mqueue\"\n";
  if (job.mount_proc) {
    s += "mount -t proc proc \"$R/proc\"\n";
  }
  for (const auto& b : job.binds) {
    bind(b.host, b.inside, b.writable, fs::is_directory(b.host, ec));
  }
  std::string id = std::to_string(uid);
  if (!job.out_inside.empty()) {
    std::string out = "\"$R\"" + quote(job.out_inside);
    s += "mkdir -p " + out + "\nmount -t tmpfs -o size=" + std::to_string(job.out_bytes) + ",mode=700 tmpfs " + out +
         "\nchown " + id + ":" + id + " " + out + "\n";
  }
  if (job.executable) {
    std::string target = "\"$R\"" + quote(job.argv.at(0));
    s += "mkdir -p \"$(dirname " + target + ")\"\ncp " + quote(job.executable->string()) + " " + target +
         "\nchmod 555 " + target + "\n";
  }
  s += "exec chroot \"$R\" /usr/bin/setpriv --reuid=" + id + " --regid=" + id +
       " --clear-groups --inh-caps=-all --bounding-set=-all -- /usr/bin/env -i -C " + quote(job.cwd);
  for (const auto& variable : job.env) {
    s += " " + quote(variable);
  }
  for (const auto& word : wrapped_command(job)) {
    s += " " + quote(word);
  }
  s += "\n";
  LaunchPlan plan;
  plan.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  plan.argv = {"/usr/bin/unshare", "--ipc", "--net", "--uts", "--pid", "--fork", "--kill-child", "--mount",
               "--propagation", "private", "--", "/bin/sh", "-c", s};
  plan.cwd = "/";
  return plan;
}

std::string translate(const SandboxJob& job, std::string text) {
  if (!job.out_inside.empty()) {
    text = replace_all(std::move(text), job.out_inside, job.out_host.string());
  }
  for (const auto& bind : job.binds) {
    text = replace_all(std::move(text), bind.inside, bind.host);
  }
  return text;
}

// No namespaces: the job runs on the host's files, its paths translated.
LaunchPlan none_plan(const SandboxJob& job) {
  LaunchPlan plan;
  plan.child_drops_uid = true;
  for (const auto& word : wrapped_command(job)) {
    plan.argv.push_back(translate(job, word));
  }
  if (job.executable) {
    plan.argv[job.collect.empty() ? 0 : 6] = job.executable->string();
  }
  for (const auto& variable : job.env) {
    plan.env.push_back(translate(job, variable));
  }
  plan.cwd = job.cwd == "/tmp" && !job.out_host.empty() ? job.out_host.string() : translate(job, job.cwd);
  return plan;
}

}  // namespace

std::string host_path(const SandboxJob& job, const std::string& inside) { return translate(job, inside); }

LaunchPlan plan_launch(const SandboxConfig& config, const SandboxJob& job, std::optional<uid_t> uid,
                       const std::string& root_dir) {
  switch (config.isolation) {
    case Isolation::bubblewrap: {
      LaunchPlan plan = bwrap_plan(job);
      plan.child_drops_uid = uid.has_value();
      return plan;
    }
    case Isolation::unshare: return unshare_plan(job, uid.value_or(0), root_dir);
    case Isolation::none: {
      LaunchPlan plan = none_plan(job);
      plan.child_drops_uid = uid.has_value();
      return plan;
    }
  }
  return {};
}

}  // namespace grader
