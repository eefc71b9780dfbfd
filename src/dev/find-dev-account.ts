// The dev provider's accounts: whatever login is typed at the dev sign-in page becomes the subject.
import type { Account } from 'oidc-provider';

export async function findDevAccount(_ctx: unknown, sub: string): Promise<Account> {
  return {
    accountId: sub,
    async claims() {
      return {
        sub,
        name: sub.charAt(0).toUpperCase() + sub.slice(1),
        email: `${sub.toLowerCase().replace(/[^a-z0-9._-]+/g, '.')}@example.test`,
        email_verified: true,
      };
    },
  };
}
