package android.hardware.camera2;

public final class CameraManager { public void openCamera(String id, Object callback, Object handler) { } }
