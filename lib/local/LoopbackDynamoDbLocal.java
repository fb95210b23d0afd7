// Starts DynamoDB Local bound to 127.0.0.1 only.
//
// Why this file exists: DynamoDB Local's command line has no bind-address option; its DynamoDBProxyServer builds
// `new org.eclipse.jetty.server.Server(port)`, which listens on every interface. This launcher lets DynamoDB Local
// parse its own command-line arguments, then sets the Jetty connector's host to the loopback address before
// starting it, and prints the port actually bound (so `-port 0` gives a race-free random port).
//
// Run in Java's single-file source mode (JEP 330, Java 11+), no build step:
//   java -Djava.library.path=<emulator>/DynamoDBLocal_lib -cp "<emulator>/DynamoDBLocal.jar:<emulator>/DynamoDBLocal_lib/*" \
//        LoopbackDynamoDbLocal.java -inMemory -port 0 -disableTelemetry
// It prints one line `SALDO_DYNAMODB_LOCAL_LISTENING <port>` on stdout when the server accepts connections.
// With the extra first argument `--exit-with-parent` it exits when its standard input reaches end of file, which
// happens when the Node.js process holding the other end of the pipe dies, even by SIGKILL: no orphaned JVMs.
// lib/local/dynamoDbLocal.ts starts it.

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    boolean exitWithParent = args.length > 0 && args[0].equals("--exit-with-parent");
    String[] parsedArgs = exitWithParent ? java.util.Arrays.copyOfRange(args, 1, args.length) : args.clone();
    // DynamoDB Local rejects `-port 0`; parse with a placeholder and let Jetty pick a free port instead.
    boolean randomPort = false;
    for (int i = 0; i + 1 < parsedArgs.length; i++) {
      if (parsedArgs[i].equals("-port") && parsedArgs[i + 1].equals("0")) {
        parsedArgs[i + 1] = "8000";
        randomPort = true;
      }
    }
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(parsedArgs);
    if (proxy == null) {
      // ServerRunner has already printed why (for example -help or an invalid option).
      System.exit(2);
    }
    Field serverField = DynamoDBProxyServer.class.getDeclaredField("server");
    serverField.setAccessible(true);
    Server server = (Server) serverField.get(proxy);
    ServerConnector connector = null;
    for (Connector candidate : server.getConnectors()) {
      if (candidate instanceof ServerConnector) {
        connector = (ServerConnector) candidate;
        connector.setHost("127.0.0.1");
        if (randomPort) {
          connector.setPort(0);
        }
      }
    }
    if (connector == null) {
      throw new IllegalStateException("DynamoDB Local has no Jetty ServerConnector to bind to 127.0.0.1");
    }
    if (exitWithParent) {
      Thread watchdog = new Thread(() -> {
        try {
          while (System.in.read() != -1) {
            // Anything the parent writes is ignored; only end of file matters.
          }
        } catch (java.io.IOException ignored) {
          // A broken pipe means the parent is gone as well.
        }
        System.exit(0);
      }, "exit-with-parent");
      watchdog.setDaemon(true);
      watchdog.start();
    }
    try {
      proxy.start();
    } catch (Exception e) {
      // A taken port would otherwise leave the JVM running without a listener until the start timeout.
      System.err.println("SALDO_DYNAMODB_LOCAL_FAILED " + e);
      System.exit(3);
    }
    System.out.println("SALDO_DYNAMODB_LOCAL_LISTENING " + connector.getLocalPort());
    System.out.flush();
    proxy.join();
  }
}
