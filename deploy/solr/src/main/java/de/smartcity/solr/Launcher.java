package de.smartcity.solr;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Starts a real Apache Solr 9 for ckanext-smartcity's development and tests (docs/solr.md).
 *
 * <p>Two modes, both on 127.0.0.1 only:
 *
 * <ul>
 *   <li>{@code standalone}: one Solr on {@code --port} (8983), solr home {@code --home}, with the
 *       core {@code ckan} built from {@code --configset}; the CKAN {@code solr_url} is
 *       {@code http://127.0.0.1:<port>/solr/ckan}. The index survives restarts.
 *   <li>{@code cloud}: SolrCloud with an embedded ZooKeeper and two nodes on {@code --port} and
 *       {@code --port}+1 (8984, 8985), the configset uploaded as {@code ckan} and a collection
 *       {@code ckan} of 2 shards x 2 replicas. The cluster directory is wiped at each start: the
 *       cloud is for tests and demos, CKAN rebuilds its index ({@code ckan search-index rebuild}).
 *       The nodes' base URLs go to {@code --urls-file}, one per line.
 * </ul>
 *
 * <p>Prints {@code READY <url>} when Solr answers, writes {@code --pid-file}, and stops cleanly
 * on SIGTERM (a JVM shutdown hook stops Jetty and ZooKeeper, then removes the pid file).
 */
public final class Launcher {

  static final String CORE = "ckan";
  static final String CONTEXT = "/solr";
  static final int SHARDS = 2;
  static final int REPLICAS = 2;
  static final int NODES = 2;

  private Launcher() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !(args[0].equals("standalone") || args[0].equals("cloud"))) {
      System.err.println(
          "usage: Launcher standalone|cloud [--port N] [--home DIR] [--configset DIR]"
              + " [--pid-file FILE] [--urls-file FILE]");
      System.exit(2);
    }
    Map<String, String> options = options(args);
    Path configset = Path.of(options.getOrDefault("configset", "configset")).toAbsolutePath();
    if (!Files.isRegularFile(configset.resolve("conf/schema.xml"))) {
      throw new IllegalArgumentException("no conf/schema.xml in configset " + configset);
    }
    Path pidFile = path(options.get("pid-file"));
    CountDownLatch stopped = new CountDownLatch(1);
    AutoCloseable running;
    try {
      running = start(args[0], options, configset);
    } catch (Exception e) {
      // one readable line at the end of the log (a port in use, a broken configset), and an
      // exit even if some Jetty or ZooKeeper thread is still alive
      e.printStackTrace();
      System.err.println("could not start Solr " + args[0] + ": " + message(e));
      deleteQuietly(pidFile);
      System.exit(1);
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    running.close();
                  } catch (Exception e) {
                    System.err.println("error while stopping Solr: " + e);
                  } finally {
                    deleteQuietly(pidFile);
                    stopped.countDown();
                  }
                },
                "solr-stop"));
    if (pidFile != null) {
      write(pidFile, ProcessHandle.current().pid() + "\n");
    }
    System.out.flush();
    stopped.await();
  }

  static AutoCloseable start(String mode, Map<String, String> options, Path configset)
      throws Exception {
    if (mode.equals("standalone")) {
      int port = Integer.parseInt(options.getOrDefault("port", "8983"));
      requireFreePort(port);
      Path home = Path.of(options.getOrDefault("home", "solr-home")).toAbsolutePath();
      return standalone(port, home, configset);
    }
    int port = Integer.parseInt(options.getOrDefault("port", "8984"));
    for (int i = 0; i < NODES; i++) {
      requireFreePort(port + i);
    }
    Path home = Path.of(options.getOrDefault("home", "solrcloud")).toAbsolutePath();
    return cloud(port, home, configset, path(options.get("urls-file")));
  }

  /** Jetty reports a port in use only as "STOPPED"; say it plainly before starting. */
  static void requireFreePort(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
    } catch (IOException e) {
      throw new IllegalStateException("port " + port + " on 127.0.0.1 is in use", e);
    }
  }

  static String message(Throwable error) {
    String text = String.valueOf(error.getMessage());
    if (error instanceof IllegalStateException && text.startsWith("port ")) {
      return text;
    }
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.toString();
  }

  /** One Solr, one core: the shape of CKAN's own Solr image. */
  static AutoCloseable standalone(int port, Path home, Path configset) throws Exception {
    Path core = home.resolve(CORE);
    Files.createDirectories(core.resolve("data"));
    Path solrXml = home.resolve("solr.xml");
    if (!Files.exists(solrXml)) {
      write(solrXml, "<solr>\n  <str name=\"coreRootDirectory\">${coreRootDirectory:.}</str>\n</solr>\n");
    }
    write(core.resolve("core.properties"), "name=" + CORE + "\n");
    // the configuration is copied at every start, so a changed configset takes effect on restart
    copyTree(configset.resolve("conf"), core.resolve("conf"));

    JettySolrRunner jetty =
        new JettySolrRunner(home.toString(), new Properties(), jettyConfig(port));
    jetty.start();
    URL base = jetty.getBaseUrl();
    System.out.println("READY " + base + "/" + CORE);
    return jetty::stop;
  }

  /** SolrCloud: embedded ZooKeeper, two nodes, collection ckan with 2 shards x 2 replicas. */
  static AutoCloseable cloud(int port, Path home, Path configset, Path urlsFile) throws Exception {
    deleteTree(home);
    MiniSolrCloudCluster cluster =
        new MiniSolrCloudCluster(
            0, home, MiniSolrCloudCluster.DEFAULT_CLOUD_SOLR_XML, jettyConfig(0));
    try {
      List<String> urls = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        JettySolrRunner node =
            cluster.startJettySolrRunner("node" + (i + 1), CONTEXT, jettyConfig(port + i));
        urls.add(node.getBaseUrl().toString());
      }
      cluster.uploadConfigSet(configset.resolve("conf"), CORE);
      CollectionAdminRequest.createCollection(CORE, CORE, SHARDS, REPLICAS)
          .process(cluster.getSolrClient());
      cluster.waitForActiveCollection(CORE, 120, TimeUnit.SECONDS, SHARDS, SHARDS * REPLICAS);
      if (urlsFile != null) {
        write(urlsFile, String.join("\n", urls) + "\n");
      }
      System.out.println("ZooKeeper " + cluster.getZkServer().getZkAddress());
      for (String url : urls) {
        System.out.println("READY " + url + "/" + CORE);
      }
    } catch (Exception e) {
      cluster.shutdown();
      throw e;
    }
    return () -> {
      cluster.shutdown();
      deleteQuietly(urlsFile);
    };
  }

  static JettyConfig jettyConfig(int port) {
    return JettyConfig.builder().setPort(port).setContext(CONTEXT).stopAtShutdown(false).build();
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }

  static Path path(String value) {
    return value == null || value.isEmpty() ? null : Path.of(value).toAbsolutePath();
  }

  static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static void copyTree(Path from, Path to) throws IOException {
    deleteTree(to);
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(Launcher::deleteQuietly);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      System.err.println("could not delete " + file + ": " + e);
    }
  }
}
