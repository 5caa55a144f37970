package android.net.wifi;

public class WifiInfo { public String getMacAddress() { return null; } }
