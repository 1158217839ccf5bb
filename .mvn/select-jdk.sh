# Sourced by ./mvnw and ./eidetica (POSIX sh). Sets JAVA_HOME to a JDK 21+ when it is unset and
# the `java` on PATH is older: the newest JDK 21+ found in the standard install locations.
# Nobody has to set JAVA_HOME by hand; an explicit JAVA_HOME is always respected.

eidetica_jdk_major() {
  [ -r "$1/release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release"
}

eidetica_select_jdk() {
  [ -z "${JAVA_HOME-}" ] || return 0
  eidetica_path_java="$(command -v java 2>/dev/null || :)"
  eidetica_current=""
  if [ -n "$eidetica_path_java" ]; then
    eidetica_current="$(eidetica_jdk_major "$(dirname "$(dirname "$(readlink -f "$eidetica_path_java")")")")"
  fi
  if [ -n "$eidetica_current" ] && [ "$eidetica_current" -ge 21 ]; then
    return 0
  fi
  eidetica_best=""
  eidetica_best_major=0
  for eidetica_home in /usr/lib/jvm/* /usr/java/* /opt/java/* "${HOME-}"/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$eidetica_home/bin/javac" ] || continue
    eidetica_major="$(eidetica_jdk_major "$eidetica_home")"
    [ -n "$eidetica_major" ] || continue
    if [ "$eidetica_major" -ge 21 ] && [ "$eidetica_major" -gt "$eidetica_best_major" ]; then
      eidetica_best="$eidetica_home"
      eidetica_best_major="$eidetica_major"
    fi
  done
  if [ -n "$eidetica_best" ]; then
    JAVA_HOME="$eidetica_best"
    export JAVA_HOME
  fi
}
