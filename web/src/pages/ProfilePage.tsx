import { Title2 } from "@fluentui/react-components";

export function ProfilePage() {
  return <Title2 as="h1">My profile</Title2>;
}
