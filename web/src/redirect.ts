// The MSAL v5 redirect bridge: hands the IdP's response back to the window that started the flow.
import { broadcastResponseToMainFrame } from "@azure/msal-browser/redirect-bridge";

void broadcastResponseToMainFrame();
